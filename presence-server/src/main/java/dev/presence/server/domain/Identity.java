package dev.presence.server.domain;

/**
 * A user as a valid token names them: a login token of this server, or a JWT of the app (integration mode).
 *
 * @param tokenHash the token's SHA-256 (hex), for a login token and a JWT alike, so a logout can find its sockets
 * @param issuedAt  a JWT's issue time ({@code iat}, else {@code nbf}; epoch ms; {@link Long#MIN_VALUE} if it has
 *                  neither); {@link #NOT_A_JWT} for a login token, which revocation finds by its hash instead
 * @param expiresAt a JWT's {@code exp} (epoch ms): its sockets close then; 0 for a login token (its expiry
 *                  slides with use and is checked at each use)
 */
public record Identity(String userId, String username, String tokenHash, long issuedAt, long expiresAt) {

    /** The issue time of a login token: never "issued before" a revocation by time. */
    public static final long NOT_A_JWT = Long.MAX_VALUE;

    /** A login token of this server. */
    public Identity(String userId, String username, String tokenHash) {
        this(userId, username, tokenHash, NOT_A_JWT, 0);
    }

    /** Whether the token ends at a fixed time ({@link #expiresAt}). */
    public boolean expires() {
        return expiresAt != 0;
    }
}
