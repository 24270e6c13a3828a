package dev.presence.client.cli;

import dev.presence.client.ConnectionListener;
import dev.presence.client.PresenceClient;
import dev.presence.client.ThreadsChange;
import dev.presence.client.ThreadsListener;
import dev.presence.client.ThreadsSnapshot;
import dev.presence.client.Welcome;
import dev.presence.client.api.ChatThread;
import dev.presence.client.api.Invitation;
import dev.presence.client.api.Member;
import dev.presence.client.api.User;
import dev.presence.client.api.UserStatus;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * What {@code presence-cli watch} shows: the connection's ups and downs and the changes of the threads view, as
 * lines of a {@link WatchPrinter} (which makes every line safe for the terminal). Knows nothing of sockets, so it
 * is tested by feeding it changes.
 */
final class WatchRenderer extends ConnectionListener implements ThreadsListener {

    private final WatchPrinter print;
    private final User me;
    private final String server;
    private final Supplier<ThreadsSnapshot> view;
    private final LongSupplier clock;
    /** Set after the first welcome: from then on a welcome is a reconnect, whose flips are news. */
    private volatile boolean welcomedBefore;

    /**
     * @param view  the current threads view, to name the users of the first welcome
     * @param clock Unix milliseconds, for lines about things that carry no time of their own
     */
    WatchRenderer(WatchPrinter print, User me, String server, Supplier<ThreadsSnapshot> view, LongSupplier clock) {
        this.print = print;
        this.me = me;
        this.server = server;
        this.view = view;
        this.clock = clock;
    }

    // ---- the connection

    @Override
    public void onConnected(PresenceClient client, Welcome welcome) {
        if (!welcomedBefore) {
            welcomedBefore = true;
            ThreadsSnapshot s = view.get();
            List<String> online = welcome.presence().stream()
                    .filter(st -> st.online() && !st.userId().equals(me.id()))
                    .map(st -> name(s, st.userId())).sorted().toList();
            line("Connected as " + me.username() + " to " + serverOf(client) + "; online: "
                    + (online.isEmpty() ? "nobody" : String.join(", ", online)));
        }
    }

    @Override
    public void onDisconnected(PresenceClient client, int code, String reason) {
        String why = code == PresenceClient.NO_CLOSE_FRAME ? reason
                : "close code " + code + (reason == null || reason.isBlank() ? "" : ": " + reason);
        line("Connection lost (" + why + ")");
    }

    @Override
    public void onReconnectScheduled(PresenceClient client, int attempt, Duration delay) {
        line("Reconnecting in " + seconds(delay) + " (attempt " + attempt + ")");
    }

    @Override
    public void onReconnectAttempt(PresenceClient client, int attempt) {
        line("Attempting reconnection...");
    }

    @Override
    public void onReconnected(PresenceClient client, int attempts) {
        line("Reconnection successful after " + attempts + (attempts == 1 ? " attempt" : " attempts")
                + (severalServers(client) ? " (" + serverOf(client) + ")" : ""));
    }

    /** The server this client is connected to, as its base URL; the one given when there is only one. */
    private String serverOf(PresenceClient client) {
        if (!severalServers(client)) {
            return server;
        }
        URI ws = client.currentServer();
        String scheme = "wss".equals(ws.getScheme()) ? "https" : "http";
        return scheme + "://" + ws.getRawAuthority();
    }

    private static boolean severalServers(PresenceClient client) {
        return client != null && client.servers().size() > 1;
    }

    @Override
    public void onClosed(PresenceClient client, int code, String reason) {
        if (code == PresenceClient.UNAUTHORIZED) {
            line("The server ended this session (" + code + " " + reason + "): log in again");
        }
    }

    // ---- the threads view

    @Override
    public void onChange(ThreadsSnapshot s, ThreadsChange change) {
        if (change instanceof ThreadsChange.StatusChanged c) {
            if (!c.status().userId().equals(me.id())) {
                long at = c.timestamp() > 0 ? c.timestamp() * 1000 : clock.getAsLong();
                print.status(at, name(s, c.status().userId()), c.status().online(), c.status().lastSeen());
            }
        } else if (change instanceof ThreadsChange.PresenceReplaced c) {
            if (welcomedBefore) { // after a reconnect: what changed while we were away
                for (UserStatus st : c.flipped()) {
                    if (!st.userId().equals(me.id())) {
                        print.status(clock.getAsLong(), name(s, st.userId()), st.online(), st.lastSeen());
                    }
                }
            }
        } else if (change instanceof ThreadsChange.MessageReceived c) {
            print.line(c.message().createdAt(), "#" + title(s, c.message().threadId()) + " <"
                    + name(s, c.message().senderId()) + "> " + c.message().text());
        } else if (change instanceof ThreadsChange.InvitationReceived c) {
            Invitation i = c.invitation();
            line(inviter(s, i) + " invited you to " + i.threadTitle() + " (`presence-cli accept " + i.id()
                    + "` or `presence-cli decline " + i.id() + "`)");
        } else if (change instanceof ThreadsChange.InvitationDeclined c) {
            line("Your invitation " + c.invitationId() + " to " + title(s, c.threadId()) + " was declined");
        } else if (change instanceof ThreadsChange.MemberJoined c) {
            if (!c.member().id().equals(me.id())) {
                line(c.member().username() + " joined " + title(s, c.threadId()));
            }
        } else if (change instanceof ThreadsChange.MemberLeft c) {
            line(c.member().username() + " left " + title(s, c.threadId()));
        } else if (change instanceof ThreadsChange.ThreadLeft c) {
            line("You left " + c.thread().title() + " (on another device)");
        }
    }

    /** Who sent an invitation: their username from the invitation (contract v2), else as a co-member, else the id. */
    static String inviter(ThreadsSnapshot s, Invitation i) {
        return i.inviter().map(User::username).orElseGet(() -> name(s, i.fromUserId()));
    }

    private void line(String text) {
        print.line(clock.getAsLong(), text);
    }

    private static String name(ThreadsSnapshot s, String userId) {
        return s.member(userId).map(Member::username).orElse(userId);
    }

    private static String title(ThreadsSnapshot s, String threadId) {
        return s.thread(threadId).map(ChatThread::title).orElse(threadId);
    }

    private static String seconds(Duration delay) {
        long ms = delay.toMillis();
        return ms % 1000 == 0 ? (ms / 1000) + "s" : String.format(Locale.ROOT, "%.1fs", ms / 1000.0);
    }
}
