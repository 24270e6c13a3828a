package dev.presence.server.chat;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.presence.server.config.RateLimits.Rate;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * One rate limit, kept per key (a username, a client address, a user id): a token bucket per key, the
 * algorithm most servers and gateways use (it allows a short burst, then an even rate). Bucket4j's lock-free
 * local buckets, so a check never blocks; held in a Caffeine cache, so memory is bounded by size, and a
 * bucket left alone for a whole period (by then full again, so nothing is lost) is dropped. A flood of new
 * keys (random usernames) can push out a busy key's bucket early and so reset it; that is the price of the
 * bound, and the per-address limit still holds for such a flood.
 */
final class RateLimiter {

    private static final int MAX_KEYS = 50_000;

    private final Rate rate;
    private final TimeMeter time;
    private final Cache<String, Bucket> buckets;

    RateLimiter(Rate rate) {
        this(rate, MAX_KEYS, System::nanoTime);
    }

    /** With a clock of its own, for tests. */
    RateLimiter(Rate rate, long maxKeys, LongSupplier nanoTime) {
        this.rate = rate;
        this.time = new TimeMeter() {
            @Override
            public long currentTimeNanos() {
                return nanoTime.getAsLong();
            }

            @Override
            public boolean isWallClockBased() {
                return false;
            }
        };
        this.buckets = Caffeine.newBuilder()
                .maximumSize(maxKeys)
                .expireAfterAccess(rate.per().toNanos(), TimeUnit.NANOSECONDS)
                .ticker(nanoTime::getAsLong)
                .executor(Runnable::run) // evict on the calling thread: cheap, never blocks, no extra pool
                .build();
    }

    /**
     * Takes one from the key's bucket.
     *
     * @return 0 if allowed; else the whole seconds (at least 1) until one is free again, for {@code Retry-After}
     */
    long tryAcquire(String key) {
        ConsumptionProbe probe = bucket(key).tryConsumeAndReturnRemaining(1);
        if (probe.isConsumed()) {
            return 0;
        }
        return Math.max(1, TimeUnit.NANOSECONDS.toSeconds(probe.getNanosToWaitForRefill() + 999_999_999));
    }

    /**
     * Takes one from the key's bucket, or refuses the call.
     *
     * @param what what is limited, for the message ("messages", "invitations")
     * @throws ChatException 429 with {@code Retry-After} when the bucket is empty
     */
    void acquireOrRefuse(String key, String what) {
        long wait = tryAcquire(key);
        if (wait > 0) {
            throw ChatException.rateLimited("too many " + what + "; try again in " + wait + " s", wait);
        }
    }

    /** Gives back one taken by {@link #tryAcquire} (the attempt did not count). */
    void giveBack(String key) {
        Bucket bucket = buckets.getIfPresent(key);
        if (bucket != null) {
            bucket.addTokens(1); // never beyond the capacity
        }
    }

    private Bucket bucket(String key) {
        return buckets.get(key, k -> Bucket.builder()
                .addLimit(limit -> limit.capacity(rate.count()).refillGreedy(rate.count(), rate.per()))
                .withCustomTimePrecision(time)
                .build());
    }
}
