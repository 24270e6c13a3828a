package dev.presence.server.gateway;

import dev.presence.server.metrics.ServerMetrics;
import dev.presence.server.presence.PresenceHub;
import io.netty.util.concurrent.EventExecutor;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** What every connection shares: the hub, the authenticator, the heartbeat rule and one monitor per loop. */
final class GatewayContext {

    /** Inbound frames a connection may send per second before it is closed with 4429. */
    static final int MAX_FRAMES_PER_SECOND = 50;
    static final int MAX_FRAME_BYTES = 64 * 1024;
    /** Hard limit of one connection's outbound queue; past the high-water mark only bursts may use it. */
    static final int MAX_QUEUED_BYTES = 1024 * 1024;

    final PresenceHub hub;
    final Authenticator authenticator;
    final ServerMetrics metrics;
    final Heartbeat heartbeat;
    final long helloTimeoutNanos;
    final List<String> allowedOrigins;
    private final Map<EventExecutor, HeartbeatMonitor> monitors = new ConcurrentHashMap<>();

    GatewayContext(PresenceHub hub, Authenticator authenticator, ServerMetrics metrics, Heartbeat heartbeat,
                   long helloTimeoutMillis, List<String> allowedOrigins) {
        this.hub = hub;
        this.authenticator = authenticator;
        this.metrics = metrics;
        this.heartbeat = heartbeat;
        this.helloTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(helloTimeoutMillis);
        this.allowedOrigins = allowedOrigins;
    }

    HeartbeatMonitor monitor(EventExecutor loop) {
        return monitors.computeIfAbsent(loop, l -> new HeartbeatMonitor(l, heartbeat));
    }

    void stop() {
        monitors.values().forEach(HeartbeatMonitor::stop);
    }
}
