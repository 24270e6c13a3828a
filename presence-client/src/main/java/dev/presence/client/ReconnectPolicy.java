package dev.presence.client;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * How long a {@link PresenceClient} waits before its next attempt, for each way a link can end.
 *
 * <ul>
 *   <li>A failed attempt, or a link lost any other way: the {@link Backoff} (1, 2, 4, 8, 16, 30 s ..., jittered).</li>
 *   <li>Close code 1012 (server restarting) on a link the server had welcomed: a short delay drawn uniformly from
 *       {@code [restartMin, restartMax]} (default 100–1,000 ms). In a cluster the node that stops spreads its
 *       closes over a short drain and every other node is still serving, so coming back at once is what keeps
 *       the user online: the default offline grace is 3 s. The jitter spreads the clients of the stopping node
 *       over the other nodes' accept queues.</li>
 *   <li>At most {@code maxQuickRestarts} such quick delays in a row; then 1012 gets the backoff like any loss. A
 *       link that stayed up {@link #SETTLED} or longer starts a new row. This bounds a loop of a server that
 *       welcomes and restarts again and again (a fleet that restarts node after node still gets a quick
 *       reconnect each time, as long as its links settle in between).</li>
 * </ul>
 * An attempt that fails after a quick delay falls back to the backoff, starting from its base: nothing here
 * retries in a hot loop.
 *
 * <p>With a backoff without jitter the quick delay is exactly {@code restartMax}, so every delay is predictable.
 * The random source is the backoff's, so one seeded {@link java.util.Random} makes the whole client
 * deterministic in tests. Not thread-safe: the client uses it from its event loop only.
 */
public final class ReconnectPolicy {

    /** Shortest quick delay after 1012 unless configured otherwise. */
    public static final Duration RESTART_MIN = Duration.ofMillis(100);
    /** Longest quick delay after 1012 unless configured otherwise: well inside the default 3 s offline grace. */
    public static final Duration RESTART_MAX = Duration.ofMillis(1_000);
    /** Quick delays in a row unless configured otherwise. */
    public static final int MAX_QUICK_RESTARTS = 3;
    /** A link up this long was not part of the same wave of restarts: the next 1012 is quick again. */
    public static final Duration SETTLED = Duration.ofSeconds(10);

    private final Backoff backoff;
    private final long restartMinMillis;
    private final long restartMaxMillis;
    private final int maxQuickRestarts;
    private int attempts;
    private int quickInARow;

    /**
     * @param backoff          delays after failures and ordinary losses; its random source is used here too
     * @param restartMin       shortest delay after 1012
     * @param restartMax       longest delay after 1012
     * @param maxQuickRestarts quick delays in a row before 1012 gets the backoff (0: never quick)
     */
    public ReconnectPolicy(Backoff backoff, Duration restartMin, Duration restartMax, int maxQuickRestarts) {
        this.backoff = Objects.requireNonNull(backoff, "backoff");
        this.restartMinMillis = restartMin.toMillis();
        this.restartMaxMillis = restartMax.toMillis();
        if (restartMinMillis < 0 || restartMaxMillis < restartMinMillis) {
            throw new IllegalArgumentException("need 0 <= restartMin <= restartMax, got " + restartMin + ", "
                    + restartMax);
        }
        if (maxQuickRestarts < 0) {
            throw new IllegalArgumentException("maxQuickRestarts must not be negative");
        }
        this.maxQuickRestarts = maxQuickRestarts;
    }

    /** The defaults (100–1,000 ms after 1012, three in a row) over {@code backoff}. */
    public static ReconnectPolicy of(Backoff backoff) {
        return new ReconnectPolicy(backoff, RESTART_MIN, RESTART_MAX, MAX_QUICK_RESTARTS);
    }

    /** The defaults over {@link Backoff#standard()}. */
    public static ReconnectPolicy standard() {
        return of(Backoff.standard());
    }

    /**
     * The delay before the next attempt after a link ended or an attempt failed; counts that attempt.
     *
     * @param closeCode  the close code, or {@link PresenceClient#NO_CLOSE_FRAME}
     * @param welcomed   whether the server had welcomed the link (false for a failed attempt)
     * @param upMillis   how long the link had been welcomed, 0 if it never was
     */
    public long delayAfterLossMillis(int closeCode, boolean welcomed, long upMillis) {
        attempts = attempts == Integer.MAX_VALUE ? attempts : attempts + 1;
        if (closeCode == PresenceClient.SERVICE_RESTART && welcomed) {
            if (upMillis >= SETTLED.toMillis()) {
                quickInARow = 0;
            }
            if (quickInARow < maxQuickRestarts) {
                quickInARow++;
                return quickDelayMillis();
            }
        }
        return backoff.nextDelayMillis();
    }

    /** Attempts counted since the last {@link #connected()}. */
    public int attempts() {
        return attempts;
    }

    /** A link was welcomed: the backoff and the count of attempts start again. */
    public void connected() {
        attempts = 0;
        backoff.reset();
    }

    /** The random source of the whole client (the backoff's). */
    RandomGenerator random() {
        return backoff.random();
    }

    private long quickDelayMillis() {
        if (!backoff.jittered() || restartMaxMillis == restartMinMillis) {
            return restartMaxMillis;
        }
        return restartMinMillis + Math.round(backoff.random().nextDouble() * (restartMaxMillis - restartMinMillis));
    }
}
