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
 * The four scenarios in {@code --quick} mode against the real server jar, in this JVM: each must exit 0 and
 * write well-formed JSON with its figures. It checks that the benchmarks work, never how fast anything is.
 */
@Timeout(120)
class QuickBenchTest {

    @TempDir
    static Path results;

    @BeforeAll
    static void serverJarIsBuilt() {
        String jar = System.getProperty("presence.server.jar", "../presence-server/target/presence-server.jar");
        assumeTrue(Files.isRegularFile(Path.of(jar)), "server jar not built: " + jar);
    }

    private JsonNode quick(String scenario) throws Exception {
        int code = BenchMain.execute(scenario, "--quick", "--results-dir", results.toString());
        assertThat(code).as(scenario + " exit code").isZero();
        Path file;
        try (var files = Files.list(results)) {
            file = files.filter(p -> p.getFileName().toString().startsWith(scenario + "-quick-")
                    && p.getFileName().toString().endsWith(".json")).findFirst().orElseThrow();
        }
        JsonNode json = Report.JSON.readTree(file.toFile());
        assertThat(json.path("scenario").asText()).isEqualTo(scenario);
        assertThat(json.path("quick").asBoolean()).isTrue();
        assertThat(json.path("ok").asBoolean()).isTrue();
        assertThat(json.path("machine").path("nproc").asInt()).isPositive();
        return json;
    }

    @Test
    void density() throws Exception {
        JsonNode run = quick("density").path("runs").get(0);
        assertThat(run.path("open_at_end").asInt()).isEqualTo(run.path("sessions").asInt());
        assertThat(run.path("heap_bytes_per_session").isNumber()).isTrue();
        assertThat(run.path("rss_bytes_per_session").isNumber()).isTrue();
        assertThat(run.path("pings_answered").asLong()).isPositive();
        assertThat(run.path("false_offline_events").asLong()).isZero();
        assertThat(run.path("server_classes_per_session").size()).isPositive();
        assertThat(Files.list(results).anyMatch(p -> p.getFileName().toString().startsWith("density-memory-"))).isTrue();
    }

    @Test
    void fanout() throws Exception {
        JsonNode json = quick("fanout");
        assertThat(json.path("steps").size()).isPositive();
        for (JsonNode step : json.path("steps")) {
            assertThat(step.path("deliveries").asLong()).isPositive();
            assertThat(step.path("offline_latency_ms").path("p99").isNumber()).isTrue();
        }
        assertThat(json.path("complete_views_at_end").asInt()).isEqualTo(json.path("sessions").asInt());
        assertThat(Files.list(results).anyMatch(p -> p.getFileName().toString().startsWith("fanout-latency-"))).isTrue();
    }

    @Test
    void detect() throws Exception {
        JsonNode json = quick("detect");
        assertThat(json.path("misses").asInt()).isZero();
        assertThat(json.path("found").asInt()).isEqualTo(json.path("victims").asInt());
        assertThat(json.path("detection_ms").path("max").isNumber()).isTrue();
    }

    @Test
    void storm() throws Exception {
        JsonNode json = quick("storm");
        assertThat(json.path("phases").size()).isEqualTo(2);
        for (JsonNode phase : json.path("phases")) {
            assertThat(phase.path("converged_seconds").isNumber()).isTrue();
            assertThat(phase.path("attempts_per_100ms").size()).isPositive();
        }
    }

    @Test
    void provision() throws Exception {
        JsonNode json = quick("provision");
        assertThat(json.path("users").asInt()).isPositive();
        assertThat(json.path("users_seconds_median").asDouble()).isPositive();
        assertThat(json.path("threads_seconds_median").asDouble()).isPositive();
        assertThat(json.path("each_run").size()).isEqualTo(1);
    }

    @Test
    void writes() throws Exception {
        JsonNode json = quick("writes");
        for (String kind : WritesCommand.KINDS) {
            assertThat(json.path("latency_ms").path(kind).path("count").asLong()).as(kind).isPositive();
            assertThat(json.path("latency_ms").path(kind).path("p50").isNumber()).as(kind).isTrue();
        }
    }

    @Test
    void journal() throws Exception {
        JsonNode costs = quick("journal").path("ns_per_operation");
        assertThat(costs.path("recordAChange").path("score").asDouble()).isPositive();
        assertThat(costs.path("recordANewUserThenFreeItsSlot").path("score").asDouble()).isPositive();
        assertThat(costs.path("encodeTheStatusFrame").path("score").asDouble()).isPositive();
    }
}
