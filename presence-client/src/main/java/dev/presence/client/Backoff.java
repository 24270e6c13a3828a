package dev.presence.client;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Reconnect delays: 1 s, 2 s, 4 s, 8 s, 16 s, 30 s, 30 s, ... (doubling from {@code base}, capped at
 * {@code max}), without limit, until {@link #reset()} after a successful connection.
 *
 * <p>Jitter is applied <em>after</em> the cap: a delay is drawn uniformly from
 * {@code [capped * (1 - jitter), capped]}. With the default jitter of 0.5 that is "equal jitter": a client at
 * the cap waits between 15 s and 30 s, so clients that lost the server together stay spread out instead of
 * falling back into lockstep (which is what happens when the cap is applied to an already jittered value),
 * and no delay ever exceeds the cap. With jitter 0 the delays are exactly the sequence above.
 *
 * <p>The random source is injected so tests are deterministic. Not thread-safe: the owner (a
 * {@link PresenceClient}) uses it from its event loop only.
 */
public final class Backoff {

    /** Jitter used unless configured otherwise. */
    public static final double DEFAULT_JITTER = 0.5;

    private final long baseMillis;
    private final long maxMillis;
    private final double jitter;
    private final RandomGenerator random;
    private int attempts;

    /**
     * @param base   first delay (1 s in the protocol)
     * @param max    cap (30 s in the protocol)
     * @param jitter share of each delay that is randomised, in {@code [0, 1]}; 0 turns jitter off
     * @param random random source, for example a seeded {@link java.util.Random} in tests
     */
    public Backoff(Duration base, Duration max, double jitter, RandomGenerator random) {
        this.baseMillis = base.toMillis();
        this.maxMillis = max.toMillis();
        if (baseMillis <= 0 || maxMillis < baseMillis) {
            throw new IllegalArgumentException("need 0 < base <= max, got base " + base + ", max " + max);
        }
        if (!(jitter >= 0.0 && jitter <= 1.0)) {
            throw new IllegalArgumentException("jitter must be within [0, 1], not " + jitter);
        }
        this.jitter = jitter;
        this.random = Objects.requireNonNull(random, "random");
    }

    /** The protocol's schedule (1 s doubling to 30 s) with the default jitter and a fresh random source. */
    public static Backoff standard() {
        return new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30), DEFAULT_JITTER, RandomGenerator.getDefault());
    }

    /** The protocol's schedule with the given jitter and random source. */
    public static Backoff standard(double jitter, RandomGenerator random) {
        return new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30), jitter, random);
    }

    /** The protocol's schedule without jitter: exactly 1, 2, 4, 8, 16, 30, 30, ... seconds. */
    public static Backoff withoutJitter() {
        return standard(0.0, RandomGenerator.getDefault());
    }

    /** The delay before the next attempt, in milliseconds; counts that attempt. */
    public long nextDelayMillis() {
        long capped = cappedMillis(attempts);
        attempts = attempts == Integer.MAX_VALUE ? attempts : attempts + 1;
        if (jitter == 0.0) {
            return capped;
        }
        // uniform in [capped * (1 - jitter), capped]; the cap is already applied, so clients stay spread
        double low = capped * (1.0 - jitter);
        return Math.round(low + random.nextDouble() * (capped - low));
    }

    /** The delay before the next attempt; counts that attempt. */
    public Duration nextDelay() {
        return Duration.ofMillis(nextDelayMillis());
    }

    /** Attempts handed out since the last {@link #reset()}. */
    public int attempts() {
        return attempts;
    }

    /** The random source, shared with a {@link ReconnectPolicy} built on this backoff. */
    RandomGenerator random() {
        return random;
    }

    /** Whether delays are randomised at all (jitter above 0). */
    boolean jittered() {
        return jitter > 0.0;
    }

    /** Starts again from the base delay (after a successful connection). */
    public void reset() {
        attempts = 0;
    }

    private long cappedMillis(int attempt) {
        // doubling without overflow: once past the cap, stay there
        long delay = baseMillis;
        for (int i = 0; i < attempt && delay < maxMillis; i++) {
            delay *= 2;
        }
        return Math.min(delay, maxMillis);
    }
}
