package dev.presence.server.presence;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.presence.core.Clock;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Tokens revoked lately, so a connection whose token check raced a logout is refused when it opens. A token
 * check takes milliseconds, so a revocation is remembered for minutes and then forgotten: the store, which the
 * next check asks, has it for good. Bounded, so a flood of logouts cannot grow it without end; a revocation
 * pushed out early only reopens that narrow race.
 */
final class RevokedTokens {

    static final Duration MEMORY = Duration.ofMinutes(5);
    private static final long MAX_REMEMBERED = 100_000;

    private final Cache<String, Boolean> revoked;

    RevokedTokens(Clock clock) {
        this.revoked = Caffeine.newBuilder()
                .expireAfterWrite(MEMORY)
                .maximumSize(MAX_REMEMBERED)
                .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
                .executor(Runnable::run) // upkeep on the caller's (the hub's) thread, not a pool
                .build();
    }

    void revoke(String tokenHash) {
        revoked.put(tokenHash, Boolean.TRUE);
    }

    boolean isRevoked(String tokenHash) {
        return revoked.getIfPresent(tokenHash) != null;
    }
}
