package dev.presence.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/** What the server counts, exposed as Prometheus text on {@code /metrics}. */
public final class ServerMetrics {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final AtomicInteger sessions = new AtomicInteger();
    private final AtomicInteger onlineUsers = new AtomicInteger();
    private final AtomicInteger connections = new AtomicInteger();
    private final Counter online;
    private final Counter offline;
    private final Counter deliveries;
    private final Counter staleConnections;
    private final Counter slowConsumers;
    private final Counter rateLimited;
    private final Counter authFailures;
    private final DistributionSummary detectionDelay;

    public ServerMetrics() {
        this(Optional.empty());
    }

    /** @param nodeId in cluster mode, every meter carries it as the {@code node_id} label */
    public ServerMetrics(Optional<String> nodeId) {
        nodeId.ifPresent(id -> registry.config().commonTags("node_id", id));
        Gauge.builder("presence_sessions", sessions, AtomicInteger::get)
                .description("Authenticated live WebSocket sessions").register(registry);
        Gauge.builder("presence_online_users", onlineUsers, AtomicInteger::get)
                .description("Users with at least one live (or graced) session").register(registry);
        Gauge.builder("presence_connections", connections, AtomicInteger::get)
                .description("Open WebSocket connections, authenticated or not").register(registry);
        online = Counter.builder("presence_transitions").tag("to", "online")
                .description("Users going online").register(registry);
        offline = Counter.builder("presence_transitions").tag("to", "offline")
                .description("Users going offline").register(registry);
        deliveries = Counter.builder("presence_status_deliveries")
                .description("user_status_changed frames queued to sessions").register(registry);
        staleConnections = Counter.builder("presence_stale_connections")
                .description("Connections closed by the heartbeat").register(registry);
        slowConsumers = Counter.builder("presence_slow_consumers")
                .description("Connections closed because their outbound queue stayed full").register(registry);
        rateLimited = Counter.builder("presence_rate_limited")
                .description("Connections closed for flooding (4429)").register(registry);
        authFailures = Counter.builder("presence_auth_failures")
                .description("WebSocket authentications refused (4401, 4408)").register(registry);
        detectionDelay = DistributionSummary.builder("presence_detection_delay_seconds")
                .description("Silence before a dead connection was reaped").baseUnit("seconds")
                .publishPercentiles(0.5, 0.99).register(registry);
    }

    public void sessions(int count) {
        sessions.set(count);
    }

    /** The number of users online now, as the presence state counts them (set, never summed from flips). */
    public void onlineUsers(int count) {
        onlineUsers.set(count);
    }

    public void connectionOpened() {
        connections.incrementAndGet();
    }

    public void connectionClosed() {
        connections.decrementAndGet();
    }

    public void transition(boolean toOnline) {
        (toOnline ? online : offline).increment();
    }

    public void deliveries(int count) {
        deliveries.increment(count);
    }

    public void staleConnection(long silentMillis) {
        staleConnections.increment();
        detectionDelay.record(silentMillis / 1000.0);
    }

    public void slowConsumer() {
        slowConsumers.increment();
    }

    public void rateLimited() {
        rateLimited.increment();
    }

    public void authFailure() {
        authFailures.increment();
    }

    /** A gauge read from {@code value} at each scrape. */
    public void gauge(String name, String description, Supplier<Number> value) {
        Gauge.builder(name, () -> value.get()).description(description).register(registry);
    }

    /** A counter kept elsewhere (it only grows), read from {@code value} at each scrape. */
    public void counter(String name, String description, Supplier<Number> value) {
        FunctionCounter.builder(name, value, v -> v.get().doubleValue()).description(description).register(registry);
    }

    /** Prometheus text exposition. */
    public String scrape() {
        return registry.scrape();
    }
}
