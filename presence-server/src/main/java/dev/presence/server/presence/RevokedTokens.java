package dev.presence.server.presence;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.presence.core.Clock;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Tokens revoked lately, so a connection whose token check raced a logout or a revocation is refused when it
 * opens: the revoked token hashes, and per user the JWTs' issue time up to which they are revoked. A token check
 * takes milliseconds (or, for a JWT whose user a node remembers, up to that memory's age, well under
 * {@link #MEMORY}), so a revocation is remembered for minutes and then forgotten: the store, which a later check
 * asks, has it for good. Bounded, so a flood of logouts cannot grow it without end; a revocation pushed out early
 * only reopens that narrow race. Used on the hub's thread only.
 */
final class RevokedTokens {

    static final Duration MEMORY = Duration.ofMinutes(5);
    private static final long MAX_REMEMBERED = 100_000;

    private final Cache<String, Boolean> revoked;
    /** User id → JWTs issued up to this time (epoch ms) are revoked. */
    private final Cache<String, Long> issuedUpTo;

    RevokedTokens(Clock clock) {
        this.revoked = memory(clock);
        this.issuedUpTo = memory(clock);
    }

    private static <V> Cache<String, V> memory(Clock clock) {
        return Caffeine.newBuilder()
                .expireAfterWrite(MEMORY)
                .maximumSize(MAX_REMEMBERED)
                .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
                .executor(Runnable::run) // upkeep on the caller's (the hub's) thread, not a pool
                .build();
    }

    void revoke(String tokenHash) {
        revoked.put(tokenHash, Boolean.TRUE);
    }

    void revoke(SessionRevocation revocation) {
        revocation.tokenHashes().forEach(this::revoke);
        if (revocation.userId() != null && revocation.issuedUpTo() != Long.MIN_VALUE) {
            issuedUpTo.asMap().merge(revocation.userId(), revocation.issuedUpTo(), Math::max);
        }
    }

    boolean isRevoked(String tokenHash) {
        return revoked.getIfPresent(tokenHash) != null;
    }

    /** Whether a session opening now with this token was revoked lately. */
    boolean isRevoked(LiveSession session) {
        if (isRevoked(session.tokenHash())) {
            return true;
        }
        Long upTo = issuedUpTo.getIfPresent(session.userId());
        return upTo != null && session.issuedAt() != LiveSession.LOGIN_TOKEN && session.issuedAt() <= upTo;
    }
}
