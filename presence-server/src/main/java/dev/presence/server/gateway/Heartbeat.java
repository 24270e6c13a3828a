package dev.presence.server.gateway;

import java.util.concurrent.TimeUnit;

/** The liveness rule of PROTOCOL.md: a ping every interval, dead after interval + timeout of silence. */
record Heartbeat(long intervalNanos, long timeoutNanos) {

    static Heartbeat ofMillis(long intervalMs, long timeoutMs) {
        return new Heartbeat(TimeUnit.MILLISECONDS.toNanos(intervalMs), TimeUnit.MILLISECONDS.toNanos(timeoutMs));
    }

    /** Silence after which a connection is dead. */
    long deadAfterNanos() {
        return intervalNanos + timeoutNanos;
    }

    /** How often each event loop sweeps its connections: fine enough for short test intervals, cheap at 20 s. */
    long sweepNanos() {
        long quarter = Math.min(intervalNanos, timeoutNanos) / 4;
        return Math.max(TimeUnit.MILLISECONDS.toNanos(5), Math.min(quarter, TimeUnit.MILLISECONDS.toNanos(500)));
    }
}
