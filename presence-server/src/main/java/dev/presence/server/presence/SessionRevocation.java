package dev.presence.server.presence;

import java.util.List;

/**
 * Sessions to close with 4401 on every node, and to refuse for a while on each when they open late (their token
 * check raced the revocation): those opened with one of {@code tokenHashes}; and, when {@code userId} is given,
 * every session of that user opened with a login token, and those opened with a JWT issued up to
 * {@code issuedUpTo} (epoch ms, see {@link LiveSession#issuedAt()}).
 *
 * @param userId     the user whose sessions end, or null to end only those of {@code tokenHashes}
 * @param issuedUpTo JWTs issued up to this time (inclusive) are revoked; {@link Long#MIN_VALUE}: none by time
 * @param reason     the close frame's reason
 */
public record SessionRevocation(String userId, long issuedUpTo, List<String> tokenHashes, String reason) {

    public SessionRevocation {
        tokenHashes = List.copyOf(tokenHashes);
    }

    /** The sessions of one token (a logout). */
    public static SessionRevocation ofToken(String tokenHash) {
        return new SessionRevocation(null, Long.MIN_VALUE, List.of(tokenHash), "token revoked");
    }

    /** Whether this revocation ends a session of that user, token and issue time. */
    boolean covers(String sessionUserId, String tokenHash, long issuedAt) {
        if (tokenHashes.contains(tokenHash)) {
            return true;
        }
        return userId != null && userId.equals(sessionUserId)
                && (issuedAt == LiveSession.LOGIN_TOKEN || issuedAt <= issuedUpTo);
    }
}
