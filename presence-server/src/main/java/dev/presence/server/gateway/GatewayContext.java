package dev.presence.server.gateway;

import dev.presence.core.Clock;
import dev.presence.server.metrics.ServerMetrics;
import io.netty.util.concurrent.EventExecutor;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * What every connection shares: the hub, the authenticator, the heartbeat rule and one monitor per loop.
 * Monotonic time comes from each event loop's own ticker (virtual on an embedded channel); {@link #clock}
 * only turns it into wall-clock time for last seen.
 */
final class GatewayContext {

    /**
     * Inbound frames a connection may send per second before it is closed with 4429: every frame, control
     * frames and continuation fragments included, as each costs the server the same work.
     */
    static final int MAX_FRAMES_PER_SECOND = 50;
    /** Largest frame, and largest message of several fragments. */
    static final int MAX_FRAME_BYTES = 64 * 1024;
    /** Hard limit of one connection's outbound queue; past the high-water mark only bursts may use it. */
    static final int MAX_QUEUED_BYTES = 1024 * 1024;

    final Hub hub;
    final Authenticator authenticator;
    final ServerMetrics metrics;
    final Heartbeat heartbeat;
    final long helloTimeoutNanos;
    final List<String> allowedOrigins;
    /** The wall clock of the hub: last-heard times are given to it on this clock. */
    final Clock clock;
    private final Map<EventExecutor, HeartbeatMonitor> monitors = new ConcurrentHashMap<>();

    GatewayContext(Hub hub, Authenticator authenticator, ServerMetrics metrics, Heartbeat heartbeat,
                   long helloTimeoutMillis, List<String> allowedOrigins, Clock clock) {
        this.hub = hub;
        this.authenticator = authenticator;
        this.metrics = metrics;
        this.heartbeat = heartbeat;
        this.clock = clock;
        this.helloTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(helloTimeoutMillis);
        this.allowedOrigins = allowedOrigins;
    }

    HeartbeatMonitor monitor(EventExecutor loop) {
        return monitors.computeIfAbsent(loop, l -> new HeartbeatMonitor(l, heartbeat, clock));
    }

    void stop() {
        monitors.values().forEach(HeartbeatMonitor::stop);
    }
}
