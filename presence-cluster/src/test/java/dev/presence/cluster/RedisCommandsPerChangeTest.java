package dev.presence.cluster;

import dev.presence.testkit.RedisServerExtension;

import dev.presence.core.EndReason;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Counts the Redis commands (with those run inside scripts, as {@code INFO commandstats} does) per session start
 * and end, each causing a flip, and per lost session whose grace runs out: the numbers in the README. Lease and
 * housekeeping are long here, so renewals and sweeps do not blur the count.
 */
class RedisCommandsPerChangeTest {

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    private static final int USERS = 200;

    @Test
    void commandsPerSessionStartEndAndFlip() {
        RedisClient client = ClusterRedis.client(redis.url(), Duration.ofSeconds(2));
        ClusterSettings settings = ClusterSettings.defaults("count").withLease(Duration.ofSeconds(60))
                .withHousekeepingInterval(Duration.ofSeconds(60));
        try (StatefulRedisConnection<String, String> admin = client.connect();
             TestNode node = new TestNode("count", client, settings, 50)) {
            node.start();
            Map<String, Long> starts = measure(admin, node, () -> {
                for (int i = 0; i < USERS; i++) {
                    node.open("s" + i, "user" + i);
                }
            }, USERS);
            Map<String, Long> ends = measure(admin, node, () -> {
                for (int i = 0; i < USERS; i++) {
                    node.end("s" + i, EndReason.CLOSED);
                }
            }, 0);
            for (int i = 0; i < USERS; i++) {
                node.open("l" + i, "user" + i);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> node.onlineUserCount() == USERS);
            Map<String, Long> lost = measure(admin, node, () -> {
                for (int i = 0; i < USERS; i++) {
                    node.end("l" + i, EndReason.LOST);
                }
            }, 0);
            System.out.println("Redis commands per operation (each one a flip; " + USERS + " of each):");
            System.out.println("  session start:           " + perOperation(starts));
            System.out.println("  session end (closed):    " + perOperation(ends));
            System.out.println("  session lost + grace end: " + perOperation(lost));
            assertThat(total(starts)).isLessThanOrEqualTo(16L * USERS);
            assertThat(total(ends)).isLessThanOrEqualTo(16L * USERS);
        } finally {
            client.shutdown();
        }
    }

    private static Map<String, Long> measure(StatefulRedisConnection<String, String> admin, TestNode node,
                                             Runnable operations, int onlineAfter) {
        admin.sync().configResetstat();
        operations.run();
        await().atMost(Duration.ofSeconds(10)).until(() -> node.onlineUserCount() == onlineAfter);
        Map<String, Long> calls = new TreeMap<>();
        for (String line : admin.sync().info("commandstats").split("\r?\n")) {
            if (line.startsWith("cmdstat_")) {
                String name = line.substring("cmdstat_".length(), line.indexOf(':'));
                long count = Long.parseLong(line.replaceAll("^[^:]*:calls=(\\d+),.*", "$1"));
                if (!name.startsWith("config") && !name.equals("info")) {
                    calls.put(name, count);
                }
            }
        }
        return calls;
    }

    private static long total(Map<String, Long> calls) {
        return calls.values().stream().mapToLong(Long::longValue).sum();
    }

    private static String perOperation(Map<String, Long> calls) {
        StringBuilder text = new StringBuilder(String.format("%.1f in all:", total(calls) / (double) USERS));
        calls.forEach((name, count) -> text.append(String.format(" %s %.2f", name, count / (double) USERS)));
        return text.toString();
    }
}
