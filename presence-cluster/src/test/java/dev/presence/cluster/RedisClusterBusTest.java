package dev.presence.cluster;

import dev.presence.testkit.RedisServerExtension;

import io.lettuce.core.RedisClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Chat events across nodes: every node delivers each event to its own sessions once. */
class RedisClusterBusTest {

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    private RedisClient client;
    private final List<RedisClusterBus> buses = new ArrayList<>();

    /** What one node's receiver got, as "kind target payload" lines. */
    private static final class Recorder implements ClusterBus.Receiver {
        final List<String> got = new ArrayList<>();

        @Override
        public synchronized void toUsers(Collection<String> userIds, byte[] event) {
            got.add("users " + userIds + " " + new String(event, StandardCharsets.UTF_8));
        }

        @Override
        public synchronized void toThread(String threadId, byte[] event) {
            got.add("thread " + threadId + " " + new String(event, StandardCharsets.UTF_8));
        }

        @Override
        public synchronized void revoke(String userId, long issuedUpTo, List<String> tokenHashes, String reason) {
            got.add("revoke " + userId + " " + issuedUpTo + " " + tokenHashes + " " + reason);
        }

        synchronized List<String> got() {
            return List.copyOf(got);
        }
    }

    @BeforeEach
    void setUp() {
        redis.start();
        client = ClusterRedis.client(redis.url(), Duration.ofSeconds(2));
    }

    @AfterEach
    void tearDown() {
        buses.forEach(RedisClusterBus::close);
        client.shutdown();
    }

    private RedisClusterBus bus(Recorder recorder) {
        RedisClusterBus bus = new RedisClusterBus(client, "bus", Runnable::run, recorder);
        buses.add(bus);
        bus.subscribed().join();
        return bus;
    }

    @Test
    void everyNodeDeliversEachEventOnceToItsOwnSessions() {
        Recorder a = new Recorder();
        Recorder b = new Recorder();
        Recorder c = new Recorder();
        RedisClusterBus busA = bus(a);
        bus(b);
        bus(c);

        busA.toThread("t1", "{\"type\":\"message\"}".getBytes(StandardCharsets.UTF_8));
        busA.toUsers(List.of("ann", "bob"), "{\"type\":\"invitation\"}".getBytes(StandardCharsets.UTF_8));

        List<String> expected = List.of("thread t1 {\"type\":\"message\"}",
                "users [ann, bob] {\"type\":\"invitation\"}");
        assertThat(a.got()).isEqualTo(expected); // at once, before Redis answers
        await().atMost(Duration.ofSeconds(5)).until(() -> b.got().size() == 2 && c.got().size() == 2);
        assertThat(b.got()).isEqualTo(expected);
        assertThat(c.got()).isEqualTo(expected);
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(1)).until(() -> a.got().size() == 2);
        assertThat(busA.published()).isEqualTo(2);
    }

    @Test
    void aRevocationReachesEveryNodeWithItsUserTimeHashesAndReason() {
        Recorder a = new Recorder();
        Recorder b = new Recorder();
        RedisClusterBus busA = bus(a);
        bus(b);

        busA.revoke("app:ann", 1_800_000_000_999L, List.of("h1", "h2"), "sessions revoked");
        busA.revoke(null, Long.MIN_VALUE, List.of("h3"), "token revoked");

        List<String> expected = List.of("revoke app:ann 1800000000999 [h1, h2] sessions revoked",
                "revoke null " + Long.MIN_VALUE + " [h3] token revoked");
        assertThat(a.got()).isEqualTo(expected);
        await().atMost(Duration.ofSeconds(5)).until(() -> b.got().size() == 2);
        assertThat(b.got()).isEqualTo(expected);
    }

    @Test
    void withRedisAwayTheNodeStillDeliversToItsOwnSessionsAndThrowsNothing() {
        Recorder a = new Recorder();
        Recorder b = new Recorder();
        RedisClusterBus busA = bus(a);
        bus(b);

        redis.stop();
        busA.toThread("t1", "x".getBytes(StandardCharsets.UTF_8));
        assertThat(a.got()).containsExactly("thread t1 x");
        await().atMost(Duration.ofSeconds(5)).until(() -> busA.failedPublishes() == 1);

        redis.start();
        // Lettuce reconnects and subscribes again; later events reach the other node
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            busA.toUsers(List.of("ann"), "y".getBytes(StandardCharsets.UTF_8));
            return b.got().contains("users [ann] y");
        });
        assertThat(b.got()).doesNotContain("thread t1 x");
    }
}
