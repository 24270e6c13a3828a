package dev.presence.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.presence.server.support.Api;
import dev.presence.server.support.Api.Account;
import dev.presence.server.support.ClusterNodes;
import dev.presence.server.support.MovingClient;
import dev.presence.server.support.ServerJarProcess;
import dev.presence.testkit.RedisServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.TestAbortedException;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A rolling restart is invisible: three nodes, 300 WebSocket clients (50 users with 6 devices each, all of a
 * user's devices on one node, everyone in one thread, so every client watches every user), each node in turn
 * stopped with SIGTERM and started again before the next; the clients, closed with 1012, reconnect to another
 * node after a short jittered delay, as the SDK does. No client receives a single status change. Directly to
 * the nodes, and through HAProxy with {@code docs/haproxy.cfg} as committed (its addresses from the
 * environment). Skipped with a message without PostgreSQL, {@code redis-server} or {@code haproxy} (unless
 * {@code CI=true}).
 */
class ClusterRollingRestartIT {

    private static final int USERS = 50;
    private static final int DEVICES = 6;
    /** The default grace: what the SDK's quick reconnect after a 1012 must fit in. */
    private static final Duration GRACE = Duration.ofSeconds(3);
    private static final String[] TIMINGS = {"--node-lease", "2s", "--offline-grace", "3s", "--drain", "500ms",
            "--heartbeat-interval", "5s", "--heartbeat-timeout", "5s"};
    private static final AtomicInteger DATABASES = new AtomicInteger();

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    @TempDir
    Path dataRoot;

    private final String suffix = UUID.randomUUID().toString().substring(0, 6);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ScheduledExecutorService timer = Executors.newScheduledThreadPool(2);

    @Test
    void aRollingRestartOfEveryNodeIsInvisibleToWatchers() {
        try (ClusterNodes cluster = new ClusterNodes(dataRoot, redisUrl(), TIMINGS).add("a", "b", "c").startAll()) {
            List<URI> nodes = cluster.all().stream().map(ServerJarProcess::ws).toList();
            roll(cluster, user -> {
                // all of a user's devices on one node; each moves on to the next node in the list
                List<URI> rotated = new ArrayList<>(nodes);
                java.util.Collections.rotate(rotated, -(user % nodes.size()));
                return rotated;
            }, cluster.ids());
        } finally {
            timer.shutdownNow();
        }
    }

    @Test
    void aRollingRestartThroughHaproxyIsInvisibleToWatchers() throws Exception {
        String haproxyBinary = requireHaproxy();
        try (ClusterNodes cluster = new ClusterNodes(dataRoot, redisUrl(), TIMINGS).add("a", "b", "c").startAll()) {
            int port = freePort();
            Path config = Path.of("..", "docs", "haproxy.cfg").toAbsolutePath().normalize();
            ProcessBuilder builder = new ProcessBuilder(haproxyBinary, "-db", "-f", config.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(Files.createTempFile(dataRoot, "haproxy", ".log").toFile());
            builder.environment().put("PRESENCE_LB_BIND", "127.0.0.1:" + port);
            List<ServerJarProcess> all = cluster.all();
            for (int i = 0; i < all.size(); i++) {
                builder.environment().put("PRESENCE_NODE" + (i + 1), all.get(i).base().getAuthority());
            }
            Process haproxy = builder.start();
            try {
                Api lb = new Api(URI.create("http://127.0.0.1:" + port));
                await("HAProxy answers /ready").atMost(Duration.ofSeconds(30)).ignoreExceptions()
                        .until(() -> lb.get("/ready", null).status() == 200);
                URI ws = URI.create("ws://127.0.0.1:" + port + "/ws");
                // a shorter variant: two of the three nodes are restarted
                roll(cluster, user -> List.of(ws), cluster.ids().subList(0, 2));
            } finally {
                haproxy.destroy();
                haproxy.waitFor();
            }
        } finally {
            timer.shutdownNow();
        }
    }

    /** How a user's devices find a node: the addresses they try, in order. */
    private interface Addresses {
        List<URI> of(int user);
    }

    private void roll(ClusterNodes cluster, Addresses addresses, List<String> restarted) {
        ServerJarProcess first = cluster.all().get(0);
        List<Account> users = signUp(first.api());
        Account owner = users.get(0);
        String thread = first.api().createThread(owner, "rolling");
        // invitations are limited to 20 a minute per user: each early member invites the next fifteen
        for (int i = 1; i < USERS; i++) {
            first.api().addMember(thread, users.get((i - 1) / 15), users.get(i));
        }

        List<MovingClient> clients = new ArrayList<>();
        for (int u = 0; u < USERS; u++) {
            for (int d = 0; d < DEVICES; d++) {
                clients.add(new MovingClient(users.get(u).username() + "#" + d, users.get(u).token(),
                        addresses.of(u), http, timer).start());
            }
        }
        try {
            await("every client connected").atMost(Duration.ofSeconds(90))
                    .until(() -> clients.stream().allMatch(MovingClient::isWelcomed));
            Map<String, Long> baseline = new HashMap<>();
            await("every user online").atMost(Duration.ofSeconds(30)).until(() -> {
                baseline.clear();
                for (JsonNode status : everyone(first, users)) {
                    if (!status.path("is_online").asBoolean()) {
                        return false;
                    }
                    baseline.put(status.path("user_id").asText(), status.path("version").asLong());
                }
                return baseline.size() == USERS;
            });

            for (String id : restarted) {
                ServerJarProcess node = cluster.node(id);
                assertThat(node.terminate()).as("exit code of %s after SIGTERM", id).isZero();
                await("every client of " + id + " moved to another node").atMost(Duration.ofSeconds(30))
                        .until(() -> clients.stream().map(MovingClient::welcomedAt).allMatch(at -> at != null
                                && !at.getAuthority().equals(node.base().getAuthority())));
                node.start();
                await("/ready of " + id + " after its restart").atMost(Duration.ofSeconds(30))
                        .until(() -> node.api().get("/ready", null).status() == 200);
            }

            // a flip is an offline, or an online newer than the status everyone had before the restarts
            await("no status change about anyone").during(GRACE.plusSeconds(1)).atMost(GRACE.plusSeconds(15))
                    .until(() -> flips(clients, baseline).isEmpty());
            assertThat(flips(clients, baseline)).isEmpty();
            List<Integer> closes = clients.stream().flatMap(c -> c.closeCodes().stream()).toList();
            // when every node restarted, every client moved at least once
            int moves = restarted.size() == cluster.ids().size() ? clients.size() : 1;
            assertThat(closes).as("close codes the clients saw").hasSizeGreaterThanOrEqualTo(moves)
                    .allMatch(code -> code == 1012);
            ServerJarProcess any = cluster.node(restarted.get(0));
            assertThat(everyone(any, users)).allMatch(s -> s.path("is_online").asBoolean());
        } finally {
            clients.forEach(MovingClient::stop);
        }
    }

    private static List<String> flips(List<MovingClient> clients, Map<String, Long> baseline) {
        List<String> flips = new ArrayList<>();
        for (MovingClient client : clients) {
            for (JsonNode s : client.statuses()) {
                long before = baseline.getOrDefault(s.path("user_id").asText(), Long.MAX_VALUE);
                if (!s.path("is_online").asBoolean() || s.path("version").asLong() > before) {
                    flips.add(client + " got " + s);
                }
            }
        }
        return flips;
    }

    private List<Account> signUp(Api api) {
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<CompletableFuture<Account>> made = new ArrayList<>();
            for (int u = 0; u < USERS; u++) {
                String name = "u" + u + "x" + suffix;
                made.add(CompletableFuture.supplyAsync(() -> api.signUp(name), pool));
            }
            return made.stream().map(CompletableFuture::join).toList();
        } finally {
            pool.shutdown();
        }
    }

    /** Every user's status, from {@code GET /api/presence} (which leaves out the asker's own). */
    private static List<JsonNode> everyone(ServerJarProcess node, List<Account> users) {
        List<JsonNode> statuses = new ArrayList<>(presence(node, users.get(0), users.subList(1, users.size())));
        statuses.addAll(presence(node, users.get(1), users.subList(0, 1)));
        return statuses;
    }

    private static List<JsonNode> presence(ServerJarProcess node, Account who, List<Account> users) {
        String query = users.stream().map(u -> "user_id=" + u.id()).collect(Collectors.joining("&"));
        Api.Reply reply = node.api().get("/api/presence?" + query, who.token());
        assertThat(reply.status()).as("%s", reply.raw()).isEqualTo(200);
        List<JsonNode> statuses = new ArrayList<>();
        reply.body().forEach(statuses::add);
        assertThat(statuses).hasSize(users.size());
        return statuses;
    }

    private static String redisUrl() {
        return redis.url() + "/" + DATABASES.getAndIncrement() % 16;
    }

    /** The {@code haproxy} binary (Debian's, in /usr/sbin). */
    private static String requireHaproxy() {
        String found = List.of("/usr/sbin/haproxy", "/usr/bin/haproxy").stream()
                .filter(p -> new File(p).canExecute()).findFirst().orElse(null);
        if (found == null) {
            String message = "haproxy is missing: install Debian's haproxy to run the HAProxy test";
            if ("true".equals(System.getenv("CI"))) {
                throw new IllegalStateException(message);
            }
            throw new TestAbortedException(message);
        }
        return found;
    }

    private static int freePort() {
        for (int attempt = 0; attempt < 100; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(20_000, 32_000);
            try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                return socket.getLocalPort();
            } catch (IOException e) {
                // taken: another
            }
        }
        throw new UncheckedIOException(new IOException("no free port between 20000 and 32000"));
    }
}
