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

    private JsonNode quick(String scenario, String... options) throws Exception {
        JsonNode json = run(scenario, options);
        assertThat(json.path("exit_code").asInt()).as(scenario + " exit code").isZero();
        return check(scenario, json);
    }

    /** Runs the scenario in quick mode into a fresh folder and returns its JSON, the exit code added. */
    private JsonNode run(String scenario, String... options) throws Exception {
        Path dir = Files.createTempDirectory(results, scenario);
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of(scenario, "--quick", "--results-dir",
                dir.toString()));
        args.addAll(java.util.List.of(options));
        int code = BenchMain.execute(args.toArray(new String[0]));
        Path file;
        try (var files = Files.list(dir)) {
            file = files.filter(p -> p.getFileName().toString().startsWith(scenario + "-quick-")
                    && p.getFileName().toString().endsWith(".json")).findFirst().orElseThrow();
        }
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.copy(p, results.resolve(p.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
        JsonNode json = Report.JSON.readTree(file.toFile());
        ((com.fasterxml.jackson.databind.node.ObjectNode) json).put("exit_code", code);
        return json;
    }

    private static JsonNode check(String scenario, JsonNode json) {
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
    void deliverAgainstTheBaseline() throws Exception {
        JsonNode json = quick("deliver", "--servers", "baseline");
        JsonNode audiences = json.path("servers").path("baseline").path("audiences");
        assertThat(audiences.size()).isEqualTo(2);
        for (JsonNode a : audiences) {
            assertThat(a.path("steps").size()).isPositive();
            for (JsonNode step : a.path("steps")) {
                assertThat(step.path("deliveries").asLong()).isEqualTo(step.path("deliveries_expected").asLong());
                assertThat(step.path("cpu_us_per_delivery").isNumber()).isTrue();
                assertThat(step.path("latency_ms").path("p99").isNumber()).isTrue();
            }
        }
        assertThat(json.path("comparison").get(0).path("baseline_cpu_us_per_delivery").isNumber()).isTrue();
        assertThat(Files.list(results).anyMatch(p -> p.getFileName().toString().startsWith("deliver-")
                && p.getFileName().toString().endsWith(".png"))).isTrue();
    }

    @Test
    void deliverBothServersSideBySide() throws Exception {
        JsonNode json = run("deliver");
        String skipped = json.path("servers").path("presence").path("skipped").asText("");
        // written against the server API contract: until the jar has /api/server/..., say so instead of passing
        assumeTrue(!skipped.contains(" 404 "), "presence side not measurable with this server jar: " + skipped);
        assertThat(json.path("exit_code").asInt()).as("deliver exit code; notes: " + json.path("notes")).isZero();
        check("deliver", json);
        for (JsonNode row : json.path("comparison")) {
            assertThat(row.path("presence_cpu_us_per_delivery").isNumber()).isTrue();
            assertThat(row.path("baseline_cpu_us_per_delivery").isNumber()).isTrue();
            assertThat(row.path("ratio").isNumber()).isTrue();
        }
    }

    @Test
    void storm2000() throws Exception {
        JsonNode storm = quick("storm2000").path("storm");
        assertThat(storm.path("converged_seconds").isNumber()).isTrue();
        assertThat(storm.path("reconnected").asInt()).isEqualTo(storm.path("all_back").asInt());
        assertThat(storm.path("frames_total").asLong()).isPositive();
        assertThat(storm.path("bytes_per_client").path("p50").asLong()).isPositive();
        assertThat(storm.path("server_rss_peak_bytes").asLong()).isPositive();
        assertThat(storm.path("server_heap_used_peak_bytes").asLong()).isPositive();
        assertThat(storm.path("slow_consumer_closes").isNumber()).isTrue();
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
