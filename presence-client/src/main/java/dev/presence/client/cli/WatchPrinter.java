package dev.presence.client.cli;

import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/**
 * The lines {@code presence-cli watch} prints, e.g. {@code [12:00:01] user_b is now offline (last seen 12:00:00)}.
 * Every line goes through {@link TerminalText#safe}: names, titles and messages come from other people.
 */
final class WatchPrinter {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    private final PrintWriter out;
    private final ZoneId zone;

    WatchPrinter(PrintWriter out, ZoneId zone) {
        this.out = out;
        this.zone = zone;
    }

    /** A status change; {@code atMillis} is when it happened, {@code lastSeenMillis} the user's last sign of life. */
    void status(long atMillis, String username, boolean online, long lastSeenMillis) {
        if (online) {
            line(atMillis, username + " is now online");
        } else if (lastSeenMillis > 0) {
            line(atMillis, username + " is now offline (last seen " + time(lastSeenMillis) + ")");
        } else {
            line(atMillis, username + " is now offline");
        }
    }

    void line(long atMillis, String text) {
        out.println("[" + time(atMillis) + "] " + TerminalText.safe(text));
        out.flush();
    }

    String time(long millis) {
        return TIME.format(Instant.ofEpochMilli(millis).atZone(zone));
    }
}
