package dev.presence.cluster;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What a cluster engine counts, as plain getters a metrics registry can poll (gauges and counters). Thread-safe.
 */
public final class ClusterMetrics {

    private final LongAdder roundTrips = new LongAdder();
    private final LongAdder roundTripNanos = new LongAdder();
    private final AtomicLong maxRoundTripNanos = new AtomicLong();
    private final AtomicLong outboxLagMillis = new AtomicLong();
    private final LongAdder outboxEvents = new LongAdder();
    private final LongAdder reapedSessions = new LongAdder();
    private final LongAdder fencedIncarnations = new LongAdder();
    private final LongAdder selfFenced = new LongAdder();
    private final LongAdder reloads = new LongAdder();
    private final LongAdder membershipGaps = new LongAdder();
    private final LongAdder failedWrites = new LongAdder();

    void roundTrip(long nanos) {
        roundTrips.increment();
        roundTripNanos.add(nanos);
        maxRoundTripNanos.accumulateAndGet(nanos, Math::max);
    }

    void outboxRead(long lagMillis, int events) {
        outboxLagMillis.set(Math.max(0, lagMillis));
        outboxEvents.add(events);
    }

    void reaped(long sessions) {
        reapedSessions.add(sessions);
    }

    void fenced(long incarnations) {
        fencedIncarnations.add(incarnations);
    }

    void foundSelfFenced() {
        selfFenced.increment();
    }

    void reloaded() {
        reloads.increment();
    }

    void membershipGap() {
        membershipGaps.increment();
    }

    void writeFailed() {
        failedWrites.increment();
    }

    /** Script calls made by the hub's writes (session start/end, graces). */
    public long redisRoundTrips() {
        return roundTrips.sum();
    }

    /** Total time of those calls, for an average. */
    public long redisRoundTripNanosTotal() {
        return roundTripNanos.sum();
    }

    /** The slowest of those calls so far. */
    public long redisRoundTripNanosMax() {
        return maxRoundTripNanos.get();
    }

    /** Age of the newest outbox entry when it was read (Redis time of writing against this node's clock). */
    public long outboxLagMillis() {
        return outboxLagMillis.get();
    }

    /** Outbox entries read. */
    public long outboxEvents() {
        return outboxEvents.sum();
    }

    /** Sessions of dead or stopped nodes this node ended as lost connections. */
    public long reapedSessions() {
        return reapedSessions.sum();
    }

    /** Incarnations whose lease ran out and that this node fenced. */
    public long fencedIncarnations() {
        return fencedIncarnations.sum();
    }

    /** Times this node found its own incarnation fenced and registered a new one. */
    public long selfFenced() {
        return selfFenced.sum();
    }

    /** Partitions reloaded from a snapshot because the reader fell behind the trimmed outbox or Redis restarted. */
    public long reloads() {
        return reloads.sum();
    }

    /** Membership changes that may have been missed (the membership stream was trimmed past this node). */
    public long membershipGaps() {
        return membershipGaps.sum();
    }

    /** Writes that failed (Redis unreachable); the sessions are registered again when it answers. */
    public long failedWrites() {
        return failedWrites.sum();
    }
}
