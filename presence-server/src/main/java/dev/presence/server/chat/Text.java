package dev.presence.server.chat;

import java.util.Locale;

/** Rules for text that people send us. */
public final class Text {

    private Text() {
    }

    /**
     * Whether a string is text every database and hash keeps as it is: no NUL (PostgreSQL refuses it) and
     * no unpaired surrogate (it has no UTF-8 form).
     */
    public static boolean isWellFormed(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\0') {
                return false;
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    /** The stored form of a username: case does not make a different user. */
    public static String canonicalUsername(String username) {
        return username.toLowerCase(Locale.ROOT);
    }
}
