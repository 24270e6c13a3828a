package dev.presence.bench;

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
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How fast an app provisions its users and threads through the server API: {@code --users} users in bulk
 * ({@code PUT /api/server/users}, 1,000 per call, one after another), then {@code --threads} threads of
 * {@code --members} members each ({@code PUT /api/server/threads/{id}}, from {@code --clients} clients at once),
 * against a fresh server (its own process, embedded database unless {@code --db-url}) for each of
 * {@code --runs} runs; the median of the runs is reported.
 */
@Command(name = "provision", mixinStandardHelpOptions = true,
        description = "Seconds to provision users (bulk) and threads with members through the server API.")
final class ProvisionCommand extends Scenario {

    private static final String KEY = "bench-provision-key-0123456789abcdef";
    private static final int USERS_PER_CALL = 1_000;

    @Option(names = "--users", paramLabel = "N", description = "Users (default 10000; quick 500).")
    Integer users;

    @Option(names = "--threads-to-make", paramLabel = "N", description = "Threads (default 1000; quick 50).")
    Integer threadCount;

    @Option(names = "--members", paramLabel = "N", defaultValue = "10",
            description = "Members per thread (default ${DEFAULT-VALUE}).")
    int members;

    @Option(names = "--clients", paramLabel = "N", defaultValue = "4",
            description = "Clients putting threads at the same time (default ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--runs", paramLabel = "N", description = "Runs, each on a fresh server (default 3; quick 1).")
    Integer runs;

    @Option(names = "--db-url", paramLabel = "JDBC-URL",
            description = "Run the server on this database (e.g. PostgreSQL; use a fresh one) instead of the"
                    + " embedded one.")
    String dbUrl;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Override
    String name() {
        return "provision";
    }

    @Override
    void run() throws Exception {
        int userTotal = users != null ? users : common.quick ? 500 : 10_000;
        int threadTotal = threadCount != null ? threadCount : common.quick ? 50 : 1_000;
        int runCount = runs != null ? runs : common.quick ? 1 : 3;
        String xmx = common.xmx != null ? common.xmx : "512m";
        report.root.put("users", userTotal).put("threads", threadTotal).put("members_per_thread", members)
                .put("clients", clients).put("runs", runCount)
                .put("database", dbUrl == null ? "embedded H2" : dbUrl.replaceAll("password=[^&]*", "password=…"))
                .put("server_jar", common.serverJar().toString());
        Path keyFile = Files.writeString(work.resolve("api-keys"), KEY + "\n");
        List<Double> userSeconds = new ArrayList<>();
        List<Double> threadSeconds = new ArrayList<>();
        List<Double> totalSeconds = new ArrayList<>();
        report.header("run", "users s", "threads s", "total s", "users/s", "threads/s");
        var each = report.root.putArray("each_run");
        for (int r = 1; r <= runCount; r++) {
            List<String> flags = new ArrayList<>(List.of("--api-key-file", keyFile.toString()));
            if (dbUrl != null) {
                flags.addAll(List.of("--db-url", dbUrl));
            }
            Path data = work.resolve("data-" + r);
            try (ServerProcess server = startServer(common.freePort(), data, xmx, List.of(), flags,
                    work.resolve("server-" + r + ".log"))) {
                URI base = URI.create(server.base());
                long start = System.nanoTime();
                putUsers(base, userTotal);
                long usersDone = System.nanoTime();
                putThreads(base, userTotal, threadTotal);
                long end = System.nanoTime();
                double u = (usersDone - start) / 1e9;
                double t = (end - usersDone) / 1e9;
                userSeconds.add(u);
                threadSeconds.add(t);
                totalSeconds.add(u + t);
                each.addObject().put("users_seconds", u).put("threads_seconds", t);
                report.row(r, u, t, u + t, userTotal / u, threadTotal / t);
                log("run %d: %d users in %.2f s, %d threads in %.2f s", r, userTotal, u, threadTotal, t);
            }
        }
        report.root.put("users_seconds_median", median(userSeconds))
                .put("threads_seconds_median", median(threadSeconds))
                .put("total_seconds_median", median(totalSeconds));
        report.note(String.format("median of %d run(s): %d users in %.2f s, %d threads of %d in %.2f s"
                        + " (%d clients), %s", runCount, userTotal, median(userSeconds), threadTotal, members,
                median(threadSeconds), clients, report.root.path("database").asText()));
    }

    private void putUsers(URI base, int total) throws IOException, InterruptedException {
        for (int from = 0; from < total; from += USERS_PER_CALL) {
            StringBuilder body = new StringBuilder("{\"users\":[");
            for (int i = from; i < Math.min(total, from + USERS_PER_CALL); i++) {
                body.append(i == from ? "" : ",").append("{\"id\":\"").append(userId(i))
                        .append("\",\"display_name\":\"User ").append(i).append("\"}");
            }
            body.append("]}");
            put(base, "/api/server/users", body.toString());
        }
    }

    private void putThreads(URI base, int userTotal, int threadTotal) throws Exception {
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                done.add(pool.submit(() -> {
                    for (int i = next.getAndIncrement(); i < threadTotal; i = next.getAndIncrement()) {
                        StringBuilder body = new StringBuilder("{\"title\":\"Thread ").append(i)
                                .append("\",\"members\":[");
                        for (int m = 0; m < members; m++) {
                            body.append(m == 0 ? "" : ",").append('"')
                                    .append(userId((i * members + m) % userTotal)).append('"');
                        }
                        body.append("]}");
                        put(base, "/api/server/threads/t-" + i, body.toString());
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
    }

    private static String userId(int i) {
        return String.format("user-%05d", i);
    }

    private void put(URI base, String path, String body) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(base.resolve(path))
                .timeout(Duration.ofSeconds(60)).header("Authorization", "ApiKey " + KEY)
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200 && response.statusCode() != 201) {
            throw new IllegalStateException("PUT " + path + " answered " + response.statusCode() + ": "
                    + response.body());
        }
    }
}
