package dev.presence.server.web;

/** Reads {@code Authorization: Bearer <token>}. */
public final class BearerToken {

    private BearerToken() {
    }

    /** The token of the header, or null if there is none. */
    public static String of(String authorizationHeader) {
        if (authorizationHeader == null || !authorizationHeader.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String token = authorizationHeader.substring(7).trim();
        return token.isEmpty() ? null : token;
    }
}
