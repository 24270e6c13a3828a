package dev.presence.server.support;

import dev.presence.server.store.PostgresTestSupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Server nodes of one cluster as child processes (the packaged jar): one throwaway PostgreSQL schema they share,
 * one Redis (the test's own), a data folder and a fixed port per node (a node restarted keeps its port and id,
 * as behind a load balancer). {@link #close()} kills what still runs and drops the schema.
 */
public final class ClusterNodes implements AutoCloseable {

    private final Path dataRoot;
    private final String redisUrl;
    private final List<String> options;
    private final String schema;
    private final String dbUrl;
    private boolean closed;
    private final Map<String, String> redisUrls = new ConcurrentHashMap<>();
    private final Map<String, ServerJarProcess> nodes = Collections.synchronizedMap(new LinkedHashMap<>());

    /**
     * @param options timing options every node gets, e.g. {@code --node-lease 2s}
     */
    public ClusterNodes(Path dataRoot, String redisUrl, String... options) {
        PostgresTestSupport.requirePostgres();
        this.dataRoot = dataRoot;
        this.redisUrl = redisUrl;
        this.options = List.of(options);
        this.schema = "presence_cluster_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        String base = PostgresTestSupport.URL;
        try (Connection c = DriverManager.getConnection(base)) {
            c.createStatement().execute("CREATE SCHEMA " + schema);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        this.dbUrl = base + (base.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    /** Adds nodes (not started) on free ports, named as given. */
    public ClusterNodes add(String... nodeIds) {
        for (String id : nodeIds) {
            Path dir = dataRoot.resolve(id);
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            nodes.put(id, process(id, freePort()));
        }
        return this;
    }

    /** Adds a node (not started) that reaches Redis at another address: through a proxy, say. */
    public ClusterNodes addWithRedis(String nodeId, String ownRedisUrl) {
        redisUrls.put(nodeId, ownRedisUrl);
        return add(nodeId);
    }

    private ServerJarProcess process(String id, int port) {
        List<String> all = new ArrayList<>(List.of("--db-url", dbUrl, "--redis-url",
                redisUrls.getOrDefault(id, redisUrl), "--node-id", id,
                "--port", Integer.toString(port)));
        all.addAll(options);
        return new ServerJarProcess(ServerJarProcess.QUICK_START, dataRoot.resolve(id), all.toArray(String[]::new));
    }

    /**
     * Starts a node for the first time: on a port another process took meanwhile, on another port.
     */
    private void firstStart(String id) {
        for (int attempt = 1; ; attempt++) {
            try {
                nodes.get(id).start();
                return;
            } catch (IllegalStateException e) {
                if (attempt == 5 || !String.valueOf(e.getMessage()).contains("already in use")) {
                    throw e;
                }
                ServerJarProcess again = process(id, freePort());
                nodes.put(id, again);
            }
        }
    }

    /**
     * Starts every node: the first alone (it makes the database's tables), then the others side by side. If one
     * does not start, every node is killed and the schema dropped.
     */
    public ClusterNodes startAll() {
        List<String> all = List.copyOf(nodes.keySet());
        try {
            firstStart(all.get(0));
            CompletableFuture.allOf(all.stream().skip(1).map(id -> CompletableFuture.runAsync(() -> firstStart(id)))
                    .toArray(CompletableFuture[]::new)).join();
        } catch (RuntimeException e) {
            // called inside try-with-resources' header, where a failure means close() is never called
            close();
            throw e;
        }
        return this;
    }

    public ServerJarProcess node(String id) {
        return nodes.get(id);
    }

    public List<ServerJarProcess> all() {
        return List.copyOf(nodes.values());
    }

    public List<String> ids() {
        return List.copyOf(nodes.keySet());
    }

    /** Every node's output, for a failure message. */
    public String output() {
        StringBuilder text = new StringBuilder();
        nodes.forEach((id, node) -> text.append("\n--- ").append(id).append(" ---\n")
                .append(String.join("\n", node.output())));
        return text.toString();
    }

    /**
     * A port that is free now, below Linux's ephemeral range (32768 and up): the nodes' own outgoing
     * connections (Redis, PostgreSQL) cannot take it between now and the node's start, or its restart.
     */
    private static int freePort() {
        for (int attempt = 0; attempt < 100; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(20_000, 32_000);
            try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                return socket.getLocalPort();
            } catch (IOException e) {
                // taken: another
            }
        }
        throw new IllegalStateException("no free port between 20000 and 32000");
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        nodes.values().forEach(ServerJarProcess::close);
        try (Connection c = DriverManager.getConnection(PostgresTestSupport.URL)) {
            c.createStatement().execute("DROP SCHEMA " + schema + " CASCADE");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
