package dev.presence.client.cli;

import java.util.Locale;

/**
 * Makes text from the server safe to print on a terminal. Titles, names, messages and error texts come from
 * other people: printed raw, an ESC or CSI sequence could clear the screen, set the window title, recolour or
 * hide what follows, a carriage return or newline could forge a line of the CLI's own, and a bidi override
 * could reorder it. Such characters are shown escaped instead, visibly and without effect:
 * <ul>
 *   <li>C0 controls, DEL and C1 controls (ESC is {@code \x1B}, CSI {@code \x9B}, BEL {@code \x07}); newline,
 *       carriage return and tab as {@code \n}, {@code \r}, {@code \t};</li>
 *   <li>bidirectional controls (U+061C, U+200E, U+200F, U+202A to U+202E, U+2066 to U+2069) and the line and
 *       paragraph separators (U+2028, U+2029), as {@code \u202E};</li>
 *   <li>unpaired surrogates, as {@code \uD800}.</li>
 * </ul>
 * Everything else, emoji and every script included, is printed as is.
 */
final class TerminalText {

    private TerminalText() {
    }

    /** {@code text} with every character that could act on the terminal escaped; {@code "null"} for null. */
    static String safe(String text) {
        if (text == null) {
            return "null";
        }
        StringBuilder out = null;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            int width = Character.charCount(cp);
            String escaped = escape(cp);
            if (escaped != null && out == null) {
                out = new StringBuilder(text.length() + 16).append(text, 0, i);
            }
            if (out != null) {
                if (escaped != null) {
                    out.append(escaped);
                } else {
                    out.appendCodePoint(cp);
                }
            }
            i += width;
        }
        return out == null ? text : out.toString();
    }

    private static String escape(int cp) {
        switch (cp) {
            case '\n':
                return "\\n";
            case '\r':
                return "\\r";
            case '\t':
                return "\\t";
            default:
                break;
        }
        if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F)) {
            return String.format(Locale.ROOT, "\\x%02X", cp);
        }
        if (cp == 0x061C || cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E)
                || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 || cp == 0x2029
                || (cp <= 0xFFFF && Character.isSurrogate((char) cp))) {
            return String.format(Locale.ROOT, "\\u%04X", cp);
        }
        return null;
    }
}
