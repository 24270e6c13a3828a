package dev.presence.bench;

import dev.presence.server.store.JdbcChatStore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Server nodes in cluster mode on this machine: a private {@code redis-server} on a free port, a throwaway
 * PostgreSQL schema (migrated by the server's own Flyway scripts, provisioned in bulk, dropped at the end),
 * and N server processes ({@code --redis-url --db-url --node-id node<i> --node-lease}), each with its own
 * data dir and log.
 */
final class BenchCluster implements AutoCloseable {

    /** Where the throwaway schemas go unless {@code --pg-url} says otherwise. */
    static final String DEFAULT_PG_URL = "jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres";

    final RedisProcess redis;
    final List<ServerProcess> nodes = new ArrayList<>();
    final List<String> tokens;
    final String schema;
    private final String pgUrl;

    private BenchCluster(RedisProcess redis, String pgUrl, String schema, List<String> tokens) {
        this.redis = redis;
        this.pgUrl = pgUrl;
        this.schema = schema;
        this.tokens = tokens;
    }

    /** Why the cluster scenarios cannot run here (no redis-server, no PostgreSQL), or null when they can. */
    static String unavailable(String pgUrl) {
        if (!RedisProcess.available()) {
            return RedisProcess.BINARY + " is missing";
        }
        DriverManager.setLoginTimeout(3);
        try (Connection c = DriverManager.getConnection(pgUrl)) {
            return null;
        } catch (SQLException e) {
            return "PostgreSQL not reachable at " + pgUrl + ": " + e.getMessage();
        }
    }

    /**
     * Starts Redis, makes and provisions the schema ({@code users} ring users, threads of {@code threadSize}),
     * then the nodes, each healthy before the next starts.
     */
    static BenchCluster start(Scenario scenario, ClusterOptions options, int users, int threadSize, String xmx,
                              List<String> flags) throws Exception {
        Path work = scenario.work;
        String pgUrl = options.pgUrl;
        int nodeCount = options.nodes;
        String lease = options.lease;
        String schema = "bench_" + Long.toString(new Random().nextLong() & Long.MAX_VALUE, 36)
                .toLowerCase(Locale.ROOT);
        RedisProcess redis = RedisProcess.start(work.resolve("redis.log"));
        BenchCluster cluster = null;
        try {
            JdbcChatStore.open(pgUrl, schema).close(); // creates the schema and runs the server's migrations
            List<String> tokens;
            try (Connection c = DriverManager.getConnection(withSchema(pgUrl, schema))) {
                tokens = Provisioner.insert(c, users, threadSize);
            }
            cluster = new BenchCluster(redis, pgUrl, schema, tokens);
            // the nodes start side by side: one at a time, JVM start-ups would dominate a quick run
            java.util.concurrent.ExecutorService starter = java.util.concurrent.Executors.newFixedThreadPool(nodeCount);
            try {
                List<java.util.concurrent.Future<ServerProcess>> started = new ArrayList<>();
                for (int i = 0; i < nodeCount; i++) {
                    List<String> nodeFlags = new ArrayList<>(List.of("--redis-url", redis.url(),
                            "--db-url", withSchema(pgUrl, schema), "--node-id", "node" + i, "--node-lease", lease));
                    nodeFlags.addAll(flags);
                    Path data = work.resolve("node" + i);
                    Files.createDirectories(data);
                    int port = freePort(); // --port names one server, never N
                    Path log = work.resolve("node" + i + ".log");
                    started.add(starter.submit(() -> startNode(scenario, port, data, xmx, nodeFlags, log)));
                }
                Exception failure = null;
                for (var f : started) {
                    try {
                        cluster.nodes.add(f.get());
                    } catch (java.util.concurrent.ExecutionException e) {
                        failure = e.getCause() instanceof Exception ex ? ex : e;
                    }
                }
                if (failure != null) {
                    throw failure;
                }
            } finally {
                starter.shutdown();
            }
            return cluster;
        } catch (Exception | Error e) {
            if (cluster != null) {
                cluster.close();
            } else {
                redis.close();
                dropSchema(pgUrl, schema);
            }
            throw e;
        }
    }

    /**
     * Starts one node; once more if it gave up on its first Redis handshake. A node allows that handshake
     * lease / 4 and exits when it takes longer, which JVMs starting side by side on a busy machine have done.
     */
    private static ServerProcess startNode(Scenario scenario, int port, Path data, String xmx, List<String> flags,
                                           Path log) throws Exception {
        try {
            return scenario.startServer(port, data, xmx, List.of(), flags, log);
        } catch (IllegalStateException e) {
            if (!Files.readString(log).contains("Unable to connect")) {
                throw e;
            }
            System.out.println("node on port " + port + " gave up on its first Redis handshake; starting it again");
            return scenario.startServer(port, data, xmx, List.of(), flags, log);
        }
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static String withSchema(String url, String schema) {
        return url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    int[] ports() {
        return nodes.stream().mapToInt(n -> n.port).toArray();
    }

    /** CPU ticks of every node still running, summed. */
    long nodeCpuTicks() throws IOException {
        long sum = 0;
        for (ServerProcess n : nodes) {
            if (n.alive()) {
                sum += n.cpuTicks();
            }
        }
        return sum;
    }

    /** A metric summed over the nodes still running. */
    double metric(String name) {
        double sum = 0;
        for (ServerProcess n : nodes) {
            if (n.alive()) {
                double v = ServerProcess.metric(n.metrics(), name);
                if (!Double.isNaN(v)) {
                    sum += v;
                }
            }
        }
        return sum;
    }

    /** Every node's /metrics merged: samples summed over the nodes still running, {@code *_max} the largest. */
    Map<String, Double> metrics() {
        Map<String, Double> out = new java.util.LinkedHashMap<>();
        for (ServerProcess n : nodes) {
            if (n.alive()) {
                n.metrics().forEach((k, v) -> out.merge(k, v, k.contains("_max") ? Math::max : Double::sum));
            }
        }
        return out;
    }

    /** The first node log line that says it ran out of file descriptors, or null. */
    String limitInLogs() {
        for (ServerProcess n : nodes) {
            String l = n.limitInLog();
            if (l != null) {
                return l;
            }
        }
        return null;
    }

    /** A snapshot of what Redis counted so far: commands by name, bytes in and out, CPU. */
    RedisCounters counters() throws IOException {
        Map<String, String> stats = redis.info("stats");
        return new RedisCounters(System.nanoTime(), redis.commandCalls(),
                Long.parseLong(stats.get("total_net_input_bytes")), Long.parseLong(stats.get("total_net_output_bytes")),
                redis.cpuTicks());
    }

    @Override
    public void close() {
        for (ServerProcess n : nodes) {
            n.close();
        }
        redis.close();
        dropSchema(pgUrl, schema);
    }

    private static void dropSchema(String pgUrl, String schema) {
        try (Connection c = DriverManager.getConnection(pgUrl); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        } catch (SQLException e) {
            System.err.println("could not drop schema " + schema + ": " + e.getMessage());
        }
    }
}
