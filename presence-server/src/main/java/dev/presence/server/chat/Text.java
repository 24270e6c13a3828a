package dev.presence.server.chat;

import java.util.Locale;
import java.util.regex.Pattern;

/** Rules for text that people send us. */
public final class Text {

    private static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9_.-]{3,32}");

    private Text() {
    }

    /** Whether a string may be a username: 3 to 32 letters, digits, '_', '.' or '-'. */
    public static boolean isUsername(String s) {
        return s != null && USERNAME.matcher(s).matches();
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

    /**
     * The first character a name or title shown to other people must not contain, or -1 if there is none:
     * a control character (C0, DEL, C1: terminal escapes, new lines, tabs) or a bidirectional embedding,
     * override or isolate (U+202A to U+202E, U+2066 to U+2069), which can make text read backwards or
     * spill its direction into what the page or terminal shows after it.
     */
    public static int forbiddenInLabel(String s) {
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            if (Character.getType(c) == Character.CONTROL || (c >= 0x202A && c <= 0x202E)
                    || (c >= 0x2066 && c <= 0x2069)) {
                return c;
            }
            i += Character.charCount(c);
        }
        return -1;
    }

    /** The stored form of a username: case does not make a different user. */
    public static String canonicalUsername(String username) {
        return username.toLowerCase(Locale.ROOT);
    }
}
