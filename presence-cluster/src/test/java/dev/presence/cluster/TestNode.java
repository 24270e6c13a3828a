package dev.presence.cluster;

import dev.presence.core.Clock;
import dev.presence.core.Delivery;
import dev.presence.core.EndReason;
import dev.presence.core.PresenceEngine;
import dev.presence.core.Scheduler;
import dev.presence.core.UserStatus;
import io.lettuce.core.RedisClient;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * One node of a cluster in a test: an engine on a hub thread of its own, on the wall clock, that records every
 * delivery (returned or sent to its sink).
 */
final class TestNode implements AutoCloseable {

    final String name;
    final RedisPresenceEngine engine;
    private final ScheduledExecutorService hub;
    private final List<Delivery> deliveries = new ArrayList<>();

    TestNode(String name, RedisClient client, ClusterSettings settings, long graceMillis) {
        this.name = name;
        this.hub = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "hub-" + name));
        Scheduler scheduler = (delay, task) -> {
            var future = hub.schedule(task, delay, TimeUnit.MILLISECONDS);
            return () -> future.cancel(false);
        };
        this.engine = new RedisPresenceEngine(client, settings, hub, Clock.system(), scheduler, graceMillis,
                this::record);
    }

    /** Runs on the hub's thread and waits for the answer. */
    <T> T call(Function<RedisPresenceEngine, T> question) {
        return CompletableFuture.supplyAsync(() -> question.apply(engine), hub).join();
    }

    TestNode start() {
        call(RedisPresenceEngine::start).orTimeout(30, TimeUnit.SECONDS).join();
        return this;
    }

    void join(String threadId, String userId) {
        call(e -> e.joined(threadId, userId)).forEach(this::record);
    }

    PresenceEngine.Started open(String sessionId, String userId) {
        PresenceEngine.Started started = call(e -> e.sessionStarted(sessionId, userId));
        started.deliveries().forEach(this::record);
        // the welcome snapshot, as a delivery of non-flips to the new session's user
        started.snapshot().forEach(s -> record(new Delivery(List.of(userId), s, false)));
        return started;
    }

    void end(String sessionId, EndReason reason) {
        call(e -> e.sessionEnded(sessionId, reason, System.currentTimeMillis())).forEach(this::record);
    }

    int onlineUserCount() {
        return call(RedisPresenceEngine::onlineUserCount);
    }

    java.util.Set<String> members(String threadId) {
        return call(e -> e.members(threadId));
    }

    void leave(String threadId, String userId) {
        call(e -> e.left(threadId, userId));
    }

    UserStatus status(String userId) {
        return call(e -> e.status(userId));
    }

    private synchronized void record(Delivery delivery) {
        deliveries.add(delivery);
    }

    /** Flips of {@code userId} this node delivered to {@code watcher}, in order. */
    synchronized List<UserStatus> flipsSeenBy(String watcher, String userId) {
        return deliveries.stream()
                .filter(d -> d.flip() && d.status().userId().equals(userId) && d.recipients().contains(watcher))
                .map(Delivery::status)
                .collect(Collectors.toList());
    }

    /** Every status of {@code userId} shown to {@code watcher}, flips or not. */
    synchronized List<UserStatus> statusesSeenBy(String watcher, String userId) {
        return deliveries.stream()
                .filter(d -> d.status().userId().equals(userId) && d.recipients().contains(watcher))
                .map(Delivery::status)
                .collect(Collectors.toList());
    }

    /** The last status of {@code userId} shown to {@code watcher}, or null. */
    synchronized UserStatus lastSeenBy(String watcher, String userId) {
        List<UserStatus> seen = statusesSeenBy(watcher, userId);
        return seen.isEmpty() ? null : seen.get(seen.size() - 1);
    }

    @Override
    public void close() {
        try {
            CompletableFuture.runAsync(engine::close, hub).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            // already crashed or closed
        }
        hub.shutdownNow();
    }

    void crash() {
        CompletableFuture.runAsync(engine::crash, hub).join();
    }

    static Duration slack() {
        return Duration.ofSeconds(2);
    }
}
