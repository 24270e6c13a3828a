package dev.presence.server.http;

import java.util.Locale;

/**
 * Whether a {@code Content-Type} is JSON. The API takes only {@code application/json}: a cross-site form or
 * {@code fetch} may post {@code text/plain} without a preflight, never {@code application/json}. Parameters are
 * allowed, but a {@code charset} other than UTF-8 is not (JSON is UTF-8, RFC 8259).
 */
final class JsonMediaType {

    private JsonMediaType() {
    }

    static boolean matches(String contentType) {
        if (contentType == null) {
            return false;
        }
        String[] parts = contentType.split(";");
        if (!parts[0].trim().equalsIgnoreCase("application/json")) {
            return false;
        }
        for (int i = 1; i < parts.length; i++) {
            String parameter = parts[i].trim();
            int eq = parameter.indexOf('=');
            if (eq < 0) {
                if (!parameter.isEmpty()) {
                    return false;
                }
                continue;
            }
            String name = parameter.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            String value = parameter.substring(eq + 1).trim();
            if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                value = value.substring(1, value.length() - 1);
            }
            if (name.equals("charset") && !value.equalsIgnoreCase("utf-8")) {
                return false;
            }
        }
        return true;
    }
}
