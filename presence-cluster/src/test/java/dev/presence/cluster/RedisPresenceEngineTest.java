package dev.presence.cluster;

import dev.presence.testkit.RedisServerExtension;

import dev.presence.core.Clock;
import dev.presence.core.PresenceEngine;
import dev.presence.core.PresenceEngineContract;
import dev.presence.core.Scheduler;
import dev.presence.core.StatusSink;
import io.lettuce.core.RedisClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;

/**
 * The whole engine contract, examples and random schedules against the reference model, on one node and a real
 * Redis. Each engine gets its own key prefix, so the engines of earlier schedules never meet the current one.
 */
class RedisPresenceEngineTest extends PresenceEngineContract {

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    private static final AtomicInteger prefixes = new AtomicInteger();
    private static RedisClient client;

    // made lazily: the contract makes its first engine before this class's fields are initialized
    private List<RedisPresenceEngine> engines;
    private Map<PresenceEngine, HubQueue> hubs;

    @Override
    protected PresenceEngine newEngine(Clock clock, Scheduler scheduler, long offlineGraceMillis, StatusSink later) {
        if (engines == null) {
            engines = new ArrayList<>();
            hubs = new HashMap<>();
        }
        if (engines.size() >= 2) {
            // the previous random schedule is over; the first engine is the examples' own
            RedisPresenceEngine previous = engines.remove(engines.size() - 1);
            previous.close();
            hubs.remove(previous);
        }
        HubQueue hub = new HubQueue();
        ClusterSettings settings = ClusterSettings.defaults("contract")
                .withKeyPrefix("contract" + prefixes.incrementAndGet())
                .withLease(Duration.ofSeconds(5))
                .withReadBlock(Duration.ofMillis(200))
                .withHousekeepingInterval(Duration.ofMillis(500));
        RedisPresenceEngine engine = new RedisPresenceEngine(client(), settings, hub, clock, scheduler,
                offlineGraceMillis, later);
        hubs.put(engine, hub);
        engines.add(engine);
        hub.execute(engine::start);
        settle(engine);
        return engine;
    }

    @Override
    protected void settle(PresenceEngine engine) {
        HubQueue hub = hubs.get(engine);
        RedisPresenceEngine redisEngine = (RedisPresenceEngine) engine;
        await().pollInSameThread().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1))
                .atMost(Duration.ofSeconds(20))
                .until(() -> {
                    hub.drain();
                    return redisEngine.quiescent() && hub.isEmpty();
                });
    }

    @Override
    protected int schedules() {
        return 20;
    }

    @AfterEach
    void closeEngines() {
        if (engines != null) {
            engines.forEach(RedisPresenceEngine::close);
        }
    }

    @AfterAll
    static void closeClient() {
        if (client != null) {
            client.shutdown();
            client = null;
        }
    }

    private static RedisClient client() {
        if (client == null) {
            client = ClusterRedis.client(redis.url(), Duration.ofSeconds(2));
        }
        return client;
    }

    /** A stopping node leaves its lost sessions to the shared grace: a rolling restart must be invisible. */
    @Override
    protected boolean settlesGracesAtShutdown() {
        return false;
    }
}
