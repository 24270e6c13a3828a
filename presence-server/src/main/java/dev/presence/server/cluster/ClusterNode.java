package dev.presence.server.cluster;

import dev.presence.cluster.ClusterBus;
import dev.presence.cluster.ClusterMetrics;
import dev.presence.cluster.ClusterRedis;
import dev.presence.cluster.ClusterSettings;
import dev.presence.cluster.RedisClusterBus;
import dev.presence.cluster.RedisPresenceEngine;
import dev.presence.core.PresenceEngine;
import dev.presence.core.StatusSink;
import dev.presence.server.metrics.ServerMetrics;
import dev.presence.server.presence.EventRoute;
import dev.presence.server.presence.HubLoop;
import dev.presence.server.presence.SessionRevocation;
import dev.presence.server.presence.StatusStore;
import io.lettuce.core.RedisClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * This server as one node of a cluster: the Redis presence engine behind the hub, chat events through every
 * node, and what {@code /ready} and the metrics say about Redis. Made before the hub; the hub makes the engine
 * and the route through {@link #engines} and {@link #routes}, then {@link #join} starts them.
 */
public final class ClusterNode implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ClusterNode.class);

    private final String nodeId;
    private final ClusterSettings settings;
    private final RedisClient redis;
    private final HubLoop loop;
    private final long offlineGraceMillis;
    private RedisPresenceEngine engine;
    private RedisClusterBus bus;

    /**
     * @param redisUrl the Redis every node shares
     * @param lease    a node that has not renewed for this long is dead
     */
    public ClusterNode(String nodeId, String redisUrl, Duration lease, HubLoop loop, long offlineGraceMillis) {
        this.nodeId = nodeId;
        this.settings = ClusterSettings.defaults(nodeId).withLease(lease);
        this.loop = loop;
        this.offlineGraceMillis = offlineGraceMillis;
        // a command that waits longer than a quarter of the lease would outlast the renewal it is part of
        this.redis = ClusterRedis.client(redisUrl, lease.dividedBy(4));
    }

    public String nodeId() {
        return nodeId;
    }

    /** The hub's engine factory: the Redis engine, on the hub's thread and clock. */
    public Function<StatusSink, PresenceEngine> engines() {
        return sink -> {
            engine = new RedisPresenceEngine(redis, settings, loop.executor(), loop.clock(), loop.scheduler(),
                    offlineGraceMillis, sink);
            return engine;
        };
    }

    /**
     * The hub's route for chat events and revocations: published once, delivered by every node to its own sessions.
     */
    public Function<EventRoute, EventRoute> routes() {
        return local -> {
            bus = new RedisClusterBus(redis, settings.keyPrefix(), loop.executor(), new ClusterBus.Receiver() {
                @Override
                public void toUsers(Collection<String> userIds, byte[] event) {
                    local.toUsers(userIds, event);
                }

                @Override
                public void toThread(String threadId, byte[] event) {
                    local.toThread(threadId, event);
                }

                @Override
                public void revoke(String userId, long issuedUpTo, List<String> tokenHashes, String reason) {
                    local.revoke(new SessionRevocation(userId, issuedUpTo, tokenHashes, reason));
                }
            });
            return new EventRoute() {
                @Override
                public void toUsers(Collection<String> userIds, byte[] event) {
                    bus.toUsers(userIds, event);
                }

                @Override
                public void toThread(String threadId, byte[] event) {
                    bus.toThread(threadId, event);
                }

                @Override
                public void revoke(SessionRevocation r) {
                    bus.revoke(r.userId(), r.issuedUpTo(), r.tokenHashes(), r.reason());
                }
            };
        };
    }

    /**
     * Joins the cluster, once the hub has loaded the memberships: registers this node and loads the cluster's
     * statuses; waits for it (not on the hub's thread) so the node serves only with the cluster's state.
     *
     * @param memberships where memberships are reloaded from if this node missed changes made on others
     * @param workers     where that blocking reload runs
     */
    public void join(StatusStore memberships, Executor workers, Duration timeout) throws Exception {
        CompletableFuture<Void> started = CompletableFuture.supplyAsync(() -> {
            engine.onMembershipsMissed(() -> reloadMemberships(memberships, workers));
            return engine.start();
        }, loop.executor()).thenCompose(f -> f);
        CompletableFuture<Void> subscribed = bus.subscribed();
        CompletableFuture.allOf(started, subscribed).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        log.info("Node {} joined the cluster as {}", nodeId, engine.incarnation());
    }

    private void reloadMemberships(StatusStore memberships, Executor workers) {
        log.warn("Node {} missed membership changes made on other nodes: reloading memberships", nodeId);
        workers.execute(() -> {
            List<String[]> all = new ArrayList<>();
            memberships.forEachMembership((thread, user) -> all.add(new String[] {thread, user}));
            // joins the ones this node missed; a missed leave stays until the next restart (a known gap)
            loop.executor().execute(() -> all.forEach(m -> engine.joined(m[0], m[1])));
        });
    }

    /** Why this node should not get new connections: Redis unreachable for longer than the lease. */
    public Optional<String> notReadyBecause() {
        return engine != null && !engine.redisReachable()
                ? Optional.of("redis unreachable for longer than the node lease") : Optional.empty();
    }

    /** Redis round trips, outbox lag, reaped sessions and fenced incarnations on {@code /metrics}. */
    public void bind(ServerMetrics metrics) {
        ClusterMetrics m = engine.metrics();
        metrics.counter("presence_cluster_redis_round_trips", "Redis commands and scripts sent",
                m::redisRoundTrips);
        metrics.counter("presence_cluster_redis_round_trip_seconds", "Time spent waiting for Redis",
                () -> m.redisRoundTripNanosTotal() / 1e9);
        metrics.gauge("presence_cluster_redis_round_trip_max_seconds", "Longest Redis round trip",
                () -> m.redisRoundTripNanosMax() / 1e9);
        metrics.gauge("presence_cluster_outbox_lag_seconds", "Age of the last outbox entry when this node read it",
                () -> m.outboxLagMillis() / 1e3);
        metrics.counter("presence_cluster_outbox_events", "Outbox entries read", m::outboxEvents);
        metrics.counter("presence_cluster_reaped_sessions", "Sessions of dead nodes ended by this node",
                m::reapedSessions);
        metrics.counter("presence_cluster_fenced_incarnations", "Dead node incarnations fenced by this node",
                m::fencedIncarnations);
        metrics.counter("presence_cluster_self_fenced", "Times this node found itself fenced", m::selfFenced);
        metrics.counter("presence_cluster_failed_writes", "Redis writes that failed", m::failedWrites);
        metrics.gauge("presence_cluster_redis_reachable", "1 while this node renews its lease",
                () -> engine.redisReachable() ? 1 : 0);
    }

    /** Leaves the cluster: the sessions just closed are ended first (as lost: the grace covers their move). */
    @Override
    public void close() {
        if (engine != null) {
            CompletableFuture.runAsync(engine::close, loop.executor()).orTimeout(30, TimeUnit.SECONDS)
                    .exceptionally(e -> {
                        log.warn("Node {} did not leave the cluster cleanly", nodeId, e);
                        return null;
                    }).join();
        }
        if (bus != null) {
            bus.close();
        }
        redis.shutdown();
    }
}
