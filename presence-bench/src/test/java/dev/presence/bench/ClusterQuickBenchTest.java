package dev.presence.bench;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The cluster scenarios in {@code --quick} mode: node-kill (three server processes on a private redis-server
 * and a throwaway PostgreSQL schema, one of them killed) and redis-capacity (the engine's scripts straight at
 * Redis). It checks that the scenarios work and report what they should, not how fast. Skipped with a message when redis-server or PostgreSQL is missing, unless
 * {@code CI=true}: then it fails.
 */
@Timeout(150)
class ClusterQuickBenchTest {

    @TempDir
    static Path results;

    @BeforeAll
    static void clusterCanRun() {
        String jar = System.getProperty("presence.server.jar", "../presence-server/target/presence-server.jar");
        assumeTrue(Files.isRegularFile(Path.of(jar)), "server jar not built: " + jar);
        String missing = BenchCluster.unavailable(BenchCluster.DEFAULT_PG_URL);
        if (missing != null && "true".equals(System.getenv("CI"))) {
            throw new IllegalStateException("the cluster bench needs redis-server and PostgreSQL: " + missing);
        }
        assumeTrue(missing == null, "cluster bench skipped: " + missing);
    }

    private JsonNode quick(String scenario) throws Exception {
        int code = BenchMain.execute(scenario, "--quick", "--results-dir", results.toString());
        assertThat(code).as(scenario + " exit code").isZero();
        Path file;
        try (var files = Files.list(results)) {
            file = files.filter(p -> p.getFileName().toString().startsWith(scenario + "-quick-")).findFirst()
                    .orElseThrow();
        }
        JsonNode json = Report.JSON.readTree(file.toFile());
        assertThat(json.path("ok").asBoolean()).isTrue();
        return json;
    }

    @Test
    void nodeKill() throws Exception {
        JsonNode json = quick("node-kill");
        assertThat(json.path("cluster_nodes").asInt()).isEqualTo(3);
        assertThat(json.path("killed_users").asInt()).isPositive();
        assertThat(json.path("watcher_pairs_never_told").asInt()).isZero();
        assertThat(json.path("stuck_online_pairs_after_promise_plus_2s").asInt()).isZero();
        assertThat(json.path("false_offline_events").asLong()).isZero();
        assertThat(json.path("users_seen_offline_by_every_watcher_seconds_max").isNumber()).isTrue();
        assertThat(json.path("redis").path("status_changes").asLong()).isPositive();
        assertThat(json.path("redis").path("commands_per_status_change").asDouble()).isPositive();
    }

    @Test
    void redisCapacity() throws Exception {
        JsonNode json = quick("redis-capacity");
        assertThat(json.path("saturation").path("status_changes").asLong()).isPositive();
        // a start is 12 commands in Redis and an end 13 (presence-cluster/README.md): the bench drives both
        assertThat(json.path("saturation").path("commands_per_status_change").asDouble()).isBetween(12.0, 13.0);
        assertThat(json.path("memory").path("bytes_per_online_session").asDouble()).isPositive();
        assertThat(json.path("memory").path("bytes_per_outbox_entry").asDouble()).isPositive();
    }
}
