package dev.presence.server.http;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * UTF-8 as RFC 3629 defines it, for request bodies and percent-escaped URIs. Jackson and Netty's URI decoder
 * are lenient: Jackson reads the overlong {@code C0 AF} as {@code /}, and Netty turns bad sequences into
 * U+FFFD, so a filter that looks for {@code /} or {@code ..} in the bytes can be walked around. The JDK's
 * decoder refuses overlong forms, encoded surrogates, bad and cut-off sequences.
 */
final class StrictUtf8 {

    private StrictUtf8() {
    }

    /** The text of {@code bytes}, or an exception when they are not well-formed UTF-8. */
    static String decode(byte[] bytes) throws CharacterCodingException {
        return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes))
                .toString();
    }

    /**
     * Whether a request target, once its {@code %XX} escapes are decoded, is well-formed UTF-8 (a bad escape
     * such as {@code %zz} is not). The request line reaches us as one char per byte, so a char above 0xFF
     * cannot occur; one that does is refused.
     */
    static boolean isWellFormedUri(String uri) {
        byte[] bytes = new byte[uri.length()];
        int n = 0;
        boolean escaped = false;
        for (int i = 0; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c == '%') {
                if (i + 2 >= uri.length()) {
                    return false;
                }
                int high = Character.digit(uri.charAt(i + 1), 16);
                int low = Character.digit(uri.charAt(i + 2), 16);
                if (high < 0 || low < 0) {
                    return false;
                }
                bytes[n++] = (byte) (high << 4 | low);
                i += 2;
                escaped = true;
            } else if (c > 0xFF) {
                return false;
            } else {
                bytes[n++] = (byte) c;
                escaped |= c > 0x7F;
            }
        }
        if (!escaped) {
            return true; // plain ASCII: nothing to decode
        }
        try {
            decode(java.util.Arrays.copyOf(bytes, n));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
