package dev.presence.server.support;

import dev.presence.server.store.PostgresTestSupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

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
    private final Map<String, ServerJarProcess> nodes = new LinkedHashMap<>();

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
            List<String> all = new ArrayList<>(List.of("--db-url", dbUrl, "--redis-url", redisUrl, "--node-id", id,
                    "--port", Integer.toString(freePort())));
            all.addAll(options);
            nodes.put(id, new ServerJarProcess(ServerJarProcess.QUICK_START, dir, all.toArray(String[]::new)));
        }
        return this;
    }

    /**
     * Starts every node: the first alone (it makes the database's tables), then the others side by side.
     */
    public ClusterNodes startAll() {
        List<ServerJarProcess> all = List.copyOf(nodes.values());
        all.get(0).start();
        CompletableFuture.allOf(all.stream().skip(1).map(n -> CompletableFuture.runAsync(n::start))
                .toArray(CompletableFuture[]::new)).join();
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

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        nodes.values().forEach(ServerJarProcess::close);
        try (Connection c = DriverManager.getConnection(PostgresTestSupport.URL)) {
            c.createStatement().execute("DROP SCHEMA " + schema + " CASCADE");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
