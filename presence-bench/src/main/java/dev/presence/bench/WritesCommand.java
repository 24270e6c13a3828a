package dev.presence.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SynchronizedHistogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * How long an acknowledged write takes, seen from a client: each kind of write of the API, timed from the
 * request to the answer, over loopback against the server as its own process. It measures what making each
 * write durable before its answer costs (run it against the jar before and after such a change).
 */
@Command(name = "writes", mixinStandardHelpOptions = true,
        description = "Latency of each kind of API write (signup, login, thread, message, invitation, accept,"
                + " display name, leave, logout).")
final class WritesCommand extends Scenario {

    static final List<String> KINDS = List.of("signup", "login", "create_thread", "message", "invitation",
            "accept", "display_name", "leave", "logout");

    @Option(names = "--rounds", paramLabel = "N",
            description = "Rounds per client; each makes one write of every kind (default 300; quick 5).")
    Integer rounds;

    @Option(names = "--clients", paramLabel = "N", defaultValue = "1",
            description = "Clients writing at the same time, each in its own rounds (default ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--db-url", paramLabel = "JDBC-URL",
            description = "Run the server on this database (e.g. PostgreSQL) instead of the embedded one.")
    String dbUrl;

    @Option(names = "--sustain", paramLabel = "PER-SECOND",
            description = "Instead of rounds: post this many messages a second and report the embedded database's"
                    + " file size every 30 s (what durable commits cost in disk space).")
    Integer sustain;

    @Option(names = "--seconds", paramLabel = "S", defaultValue = "300",
            description = "How long --sustain runs (default ${DEFAULT-VALUE}; quick 10).")
    int seconds;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Override
    String name() {
        return "writes";
    }

    @Override
    void run() throws Exception {
        int n = rounds != null ? rounds : common.quick ? 5 : 300;
        String xmx = common.xmx != null ? common.xmx : "512m";
        report.root.put("rounds_per_client", n);
        report.root.put("clients", clients);
        report.root.put("database", dbUrl == null ? "embedded H2" : dbUrl.replaceAll("password=[^&]*", "password=…"));
        report.root.put("server_jar", common.serverJar().toString());
        Map<String, Histogram> latency = new LinkedHashMap<>();
        for (String kind : KINDS) {
            latency.put(kind, new SynchronizedHistogram(TimeUnit.SECONDS.toNanos(60), 3));
        }
        Path data = work.resolve("data");
        List<String> flags = dbUrl == null ? List.of() : List.of("--db-url", dbUrl);
        try (ServerProcess server = startServer(common.freePort(), data, xmx, List.of(), flags,
                work.resolve("server.log"))) {
            URI base = URI.create(server.base());
            String run = Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);
            if (sustain != null) {
                sustained(base, run, data, latency.get("message"));
                report.root.putObject("latency_ms").set("message", Report.percentilesMs(latency.get("message")));
                return;
            }
            // warm-up: the JIT and the connection pools, not measured
            new Writer(base, "w" + run, latency, false).rounds(Math.min(n, 20));
            long start = System.nanoTime();
            ExecutorService pool = Executors.newFixedThreadPool(clients);
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                Writer writer = new Writer(base, "c" + c + run, latency, true);
                done.add(pool.submit(() -> {
                    writer.rounds(n);
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            pool.shutdown();
            double elapsed = (System.nanoTime() - start) / 1e9;
            report.root.put("writes_per_second", n * clients * KINDS.size() / elapsed);
            if (dbUrl == null) {
                report.root.put("database_file_bytes_at_end", databaseBytes(data));
            }
        }
        report.header("write", "count", "p50 ms", "p90 ms", "p99 ms", "max ms");
        ObjectNode kinds = report.root.putObject("latency_ms");
        for (Map.Entry<String, Histogram> e : latency.entrySet()) {
            Histogram h = e.getValue();
            kinds.set(e.getKey(), Report.percentilesMs(h));
            report.row(e.getKey(), h.getTotalCount(), h.getValueAtPercentile(50) / 1e6,
                    h.getValueAtPercentile(90) / 1e6, h.getValueAtPercentile(99) / 1e6, h.getMaxValue() / 1e6);
        }
        report.note(String.format("%.0f writes/s in all, %d client(s), %s", report.root.path("writes_per_second")
                .asDouble(), clients, report.root.path("database").asText()));
    }

    /** Messages at a steady rate, paced per second; the file size every 30 s. */
    private void sustained(URI base, String run, Path data, Histogram latency) throws Exception {
        int duration = common.quick ? 10 : seconds;
        int sampleEvery = common.quick ? 5 : 30;
        Writer writer = new Writer(base, "s" + run, Map.of("message", latency), true);
        String thread = writer.call("POST", "/api/threads", writer.partnerToken, "{\"title\":\"sustained\"}", 201,
                null).path("id").asText();
        report.root.put("sustained_messages_per_second", sustain);
        report.header("seconds", "messages", "file MB", "message p50 ms", "p99 ms");
        var samples = report.root.putArray("file_bytes");
        long start = System.nanoTime();
        long sent = 0;
        for (int second = 1; second <= duration; second++) {
            for (int i = 0; i < sustain; i++) {
                writer.call("POST", "/api/threads/" + thread + "/messages", writer.partnerToken,
                        "{\"text\":\"message " + sent++ + "\"}", 201, "message");
            }
            long wait = start + TimeUnit.SECONDS.toNanos(second) - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            if (second % sampleEvery == 0) {
                long bytes = databaseBytes(data);
                samples.addObject().put("seconds", second).put("messages", sent).put("bytes", bytes);
                report.row(second, sent, bytes / 1048576.0, latency.getValueAtPercentile(50) / 1e6,
                        latency.getValueAtPercentile(99) / 1e6);
            }
        }
        report.note(String.format("%d messages a second for %d s (%d sent), one client, %s", sustain, duration, sent,
                report.root.path("database").asText()));
    }

    private static long databaseBytes(Path data) throws IOException {
        try (Stream<Path> files = Files.list(data)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".mv.db")).mapToLong(p -> p.toFile().length())
                    .sum();
        }
    }

    /** One client: rounds of one write of each kind, in an order where each has what it needs. */
    private final class Writer {
        private final URI base;
        private final String prefix;
        private final Map<String, Histogram> latency;
        private final boolean record;
        private final String partnerToken;
        private final String partner;

        Writer(URI base, String prefix, Map<String, Histogram> latency, boolean record) throws Exception {
            this.base = base;
            this.prefix = prefix;
            this.latency = latency;
            this.record = record;
            this.partner = prefix + "p";
            call("POST", "/api/users", null, credentials(partner), 201, null);
            this.partnerToken = call("POST", "/api/sessions", null, credentials(partner), 201, null).path("token")
                    .asText();
        }

        void rounds(int n) throws Exception {
            for (int i = 0; i < n; i++) {
                String user = prefix + "u" + i;
                call("POST", "/api/users", null, credentials(user), 201, "signup");
                String token = call("POST", "/api/sessions", null, credentials(user), 201, "login").path("token")
                        .asText();
                String thread = call("POST", "/api/threads", token, "{\"title\":\"t" + i + "\"}", 201,
                        "create_thread").path("id").asText();
                call("POST", "/api/threads/" + thread + "/messages", token, "{\"text\":\"hello " + i + "\"}", 201,
                        "message");
                String invitation = call("POST", "/api/threads/" + thread + "/invitations", token,
                        "{\"username\":\"" + partner + "\"}", 201, "invitation").path("id").asText();
                call("POST", "/api/invitations/" + invitation + "/accept", partnerToken, null, 200, "accept");
                call("PATCH", "/api/me", token, "{\"display_name\":\"User " + i + "\"}", 200, "display_name");
                call("DELETE", "/api/threads/" + thread + "/members/me", partnerToken, null, 204, "leave");
                call("DELETE", "/api/sessions/current", token, null, 204, "logout");
            }
        }

        private JsonNode call(String method, String path, String token, String body, int expected, String kind)
                throws Exception {
            HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30))
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(body));
            if (token != null) {
                request.header("Authorization", "Bearer " + token);
            }
            if (body != null) {
                request.header("Content-Type", "application/json");
            }
            long t0 = System.nanoTime();
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            long took = System.nanoTime() - t0;
            if (response.statusCode() != expected) {
                throw new IllegalStateException(method + " " + path + ": expected " + expected + ", got "
                        + response.statusCode() + " " + response.body());
            }
            if (record && kind != null) {
                latency.get(kind).recordValue(took);
            }
            String text = response.body();
            return text == null || text.isEmpty() ? Report.JSON.nullNode() : Report.JSON.readTree(text);
        }
    }

    private static String credentials(String username) {
        return "{\"username\":\"" + username + "\",\"password\":\"secret-pass\"}";
    }
}
