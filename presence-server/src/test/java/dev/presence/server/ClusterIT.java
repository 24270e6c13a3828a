package dev.presence.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.presence.server.support.Api;
import dev.presence.server.support.Api.Account;
import dev.presence.server.support.ClusterNodes;
import dev.presence.server.support.ServerJarProcess;
import dev.presence.server.support.StatusFrames;
import dev.presence.server.support.WsProbe;
import dev.presence.testkit.FaultProxy;
import dev.presence.testkit.RedisServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Cluster mode end to end: nodes are separate JVMs (the packaged jar) sharing a throwaway PostgreSQL schema and
 * the test's own {@code redis-server}; clients are raw WebSockets and HTTP. Users on different nodes see each
 * other as on one server; a user is online while a session on any node lives; a node killed with SIGKILL has its
 * users go offline everywhere within lease + grace (+ 2 s), once, and can come back; a Redis outage closes no
 * socket and ends in agreement; a node cut off from Redis (a TCP proxy that stops forwarding) is dead to the
 * others and comes back when the network does. Skipped with a message without PostgreSQL or
 * {@code redis-server} (unless {@code CI=true}).
 */
class ClusterIT {

    private static final Duration LEASE = Duration.ofSeconds(2);
    private static final Duration GRACE = Duration.ofMillis(1500);
    /** What the contract allows beyond lease + grace for a killed node's users to go offline elsewhere. */
    private static final Duration SLACK = Duration.ofSeconds(2);
    private static final String[] TIMINGS = {"--node-lease", "2s", "--offline-grace", "1500ms", "--drain", "500ms",
            "--heartbeat-interval", "2s", "--heartbeat-timeout", "2s"};

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    @TempDir
    Path dataRoot;

    /** Each test its own Redis database: nothing a test's nodes left behind meets the next test's. */
    private static final AtomicInteger DATABASES = new AtomicInteger();

    private final String suffix = UUID.randomUUID().toString().substring(0, 6);

    @Test
    void usersOnDifferentNodesSeeEachOther() {
        try (ClusterNodes cluster = new ClusterNodes(dataRoot, redisUrl(), TIMINGS).add("a", "b").startAll()) {
            ServerJarProcess a = cluster.node("a");
            ServerJarProcess b = cluster.node("b");
            Account ann = a.api().signUp("ann" + suffix);
            Account bob = b.api().signUp("bob" + suffix);
            Account cat = a.api().signUp("cat" + suffix);
            String thread = a.api().createThread(ann, "across");
            a.api().addMember(thread, ann, bob); // invitation made on a, accepted through a: b must learn of it

            WsProbe annOnA = WsProbe.online("ann on a", a.ws(), ann.token());
            WsProbe bobOnB = WsProbe.connect("bob on b", b.ws(), bob.token());
            JsonNode welcome = bobOnB.awaitType("welcome");
            assertThat(presenceOf(welcome, ann.id()).path("is_online").asBoolean())
                    .as("bob's welcome on b says ann (on a) is online: %s", welcome).isTrue();
            annOnA.awaitStatus(bob.id(), true);
            assertThat(presence(b, bob, ann).path("is_online").asBoolean()).isTrue();
            assertThat(presence(a, ann, bob).path("is_online").asBoolean()).isTrue();

            expect(a.api().post("/api/threads/" + thread + "/messages", ann.token(), "{\"text\":\"hi from a\"}"), 201);
            JsonNode message = bobOnB.awaitType("message_created");
            assertThat(message.toString()).contains("hi from a");

            expect(b.api().call("PATCH", "/api/me", bob.token(), "{\"display_name\":\"Bob on B\"}"), 200);
            assertThat(annOnA.awaitType("user_profile_updated").toString()).contains("Bob on B");

            WsProbe catOnB = WsProbe.online("cat on b", b.ws(), cat.token());
            String invitation = expect(a.api().post("/api/threads/" + thread + "/invitations", ann.token(),
                    "{\"username\":\"" + cat.username() + "\"}"), 201).text("id");
            assertThat(catOnB.awaitType("invitation_created").toString()).contains(invitation);
            expect(b.api().post("/api/invitations/" + invitation + "/accept", cat.token(), null), 200);
            annOnA.awaitType("invitation_accepted");
            // a member from now on: cat (on b) and ann (on a) see each other's statuses
            annOnA.awaitStatus(cat.id(), true);
            catOnB.awaitStatus(ann.id(), true);

            expect(b.api().call("DELETE", "/api/threads/" + thread + "/members/me", bob.token(), null), 204);
            assertThat(annOnA.awaitType("thread_member_left").toString()).contains(bob.id());

            catOnB.closeCleanly();
            JsonNode offline = annOnA.awaitStatus(cat.id(), false, 0, GRACE.plus(Duration.ofSeconds(10)));
            assertThat(offline.path("last_seen").asLong()).isPositive();
            assertThat(presence(b, ann, cat).path("is_online").asBoolean()).isFalse();
            annOnA.close();
            bobOnB.close();
        }
    }

    @Test
    void aUserWithDevicesOnTwoNodesStaysOnlineWhenOneLeaves() {
        try (ClusterNodes cluster = new ClusterNodes(dataRoot, redisUrl(), TIMINGS).add("a", "b").startAll()) {
            ServerJarProcess a = cluster.node("a");
            ServerJarProcess b = cluster.node("b");
            Account watcher = a.api().signUp("watcher" + suffix);
            Account bob = a.api().signUp("bob" + suffix);
            a.api().threadOf("devices", watcher, bob);
            WsProbe watching = WsProbe.online("watcher on a", a.ws(), watcher.token());
            WsProbe phone = WsProbe.online("bob's phone on a", a.ws(), bob.token());
            WsProbe laptop = WsProbe.online("bob's laptop on b", b.ws(), bob.token());
            watching.awaitStatus(bob.id(), true);

            laptop.closeCleanly();
            await("no offline for bob while his phone lives").during(GRACE.plus(Duration.ofSeconds(1)))
                    .atMost(GRACE.plus(Duration.ofSeconds(10)))
                    .until(() -> statusesAbout(watching, bob).stream()
                            .allMatch(s -> s.path("is_online").asBoolean()));
            assertThat(presence(b, watcher, bob).path("is_online").asBoolean()).isTrue();

            phone.closeCleanly();
            watching.awaitStatus(bob.id(), false);
            assertThat(statusesAbout(watching, bob).stream().filter(s -> !s.path("is_online").asBoolean()))
                    .hasSize(1);
            watching.close();
        }
    }

    @Test
    void aKilledNodesUsersGoOfflineEverywhereOnceAndComeBackWhenItRestarts() {
        try (ClusterNodes cluster = new ClusterNodes(dataRoot, redisUrl(), TIMINGS).add("a", "b", "c")
                .startAll()) {
            ServerJarProcess a = cluster.node("a");
            ServerJarProcess b = cluster.node("b");
            ServerJarProcess c = cluster.node("c");
            Account watcher = a.api().signUp("watcher" + suffix);
            Account both = a.api().signUp("both" + suffix);
            List<Account> victims = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                victims.add(a.api().signUp("victim" + i + suffix));
            }
            List<Account> members = new ArrayList<>(victims);
            members.add(0, watcher);
            members.add(both);
            String thread = a.api().threadOf("kill", members.toArray(Account[]::new));
            WsProbe onA = WsProbe.online("watcher on a", a.ws(), watcher.token());
            WsProbe onB = WsProbe.online("watcher on b", b.ws(), watcher.token());
            List<WsProbe> sessions = new ArrayList<>();
            for (Account victim : victims) {
                sessions.add(WsProbe.online(victim.username() + " on c", c.ws(), victim.token()));
            }
            sessions.add(WsProbe.online("both on c", c.ws(), both.token()));
            WsProbe bothOnA = WsProbe.online("both on a", a.ws(), both.token());
            for (WsProbe watching : List.of(onA, onB)) {
                for (Account victim : victims) {
                    watching.awaitStatus(victim.id(), true);
                }
                watching.awaitStatus(both.id(), true);
            }

            long killedAt = System.currentTimeMillis();
            c.kill9();
            sessions.forEach(WsProbe::close);
            Duration bound = LEASE.plus(GRACE).plus(SLACK);
            for (WsProbe watching : List.of(onA, onB)) {
                await(watching + " sees every user of the killed node offline within lease + grace + 2 s")
                        .atMost(bound.minusMillis(System.currentTimeMillis() - killedAt))
                        .pollInterval(Duration.ofMillis(20))
                        .until(() -> victims.stream().allMatch(v -> statusesAbout(watching, v).stream()
                                .anyMatch(s -> !s.path("is_online").asBoolean())));
            }
            // once each, versions increasing, last_seen when the node last proved alive; "both" stays online
            await("no second offline, and none for a user with a session elsewhere").during(GRACE)
                    .atMost(GRACE.plus(Duration.ofSeconds(10))).until(() -> {
                        for (WsProbe watching : List.of(onA, onB)) {
                            for (Account victim : victims) {
                                if (statusesAbout(watching, victim).stream()
                                        .filter(s -> !s.path("is_online").asBoolean()).count() != 1) {
                                    return false;
                                }
                            }
                            if (statusesAbout(watching, both).stream()
                                    .anyMatch(s -> !s.path("is_online").asBoolean())) {
                                return false;
                            }
                        }
                        return true;
                    });
            for (WsProbe watching : List.of(onA, onB)) {
                for (Account victim : victims) {
                    List<JsonNode> seen = statusesAbout(watching, victim);
                    assertIncreasing(seen, watching + " about " + victim.username());
                    long lastSeen = seen.get(seen.size() - 1).path("last_seen").asLong();
                    assertThat(lastSeen).as("last_seen of %s (killed at %s)", victim.username(), killedAt)
                            .isBetween(killedAt - LEASE.toMillis() - 1000, killedAt + 1000);
                }
            }
            for (Account victim : victims) {
                assertThat(presence(b, watcher, victim).path("is_online").asBoolean()).isFalse();
            }
            assertThat(presence(b, watcher, both).path("is_online").asBoolean()).isTrue();

            // the killed node comes back with the same id: its users come back to it, and it knows everyone
            c.start();
            for (Account victim : victims.subList(0, 3)) {
                sessions.add(WsProbe.online(victim.username() + " on c again", c.ws(), victim.token()));
            }
            for (WsProbe watching : List.of(onA, onB)) {
                for (Account victim : victims.subList(0, 3)) {
                    await().atMost(Duration.ofSeconds(10)).until(() -> {
                        List<JsonNode> seen = statusesAbout(watching, victim);
                        return seen.get(seen.size() - 1).path("is_online").asBoolean();
                    });
                    assertIncreasing(statusesAbout(watching, victim), watching + " about " + victim.username());
                }
            }
            WsProbe onC = WsProbe.connect("watcher on c", c.ws(), watcher.token());
            JsonNode welcome = onC.awaitType("welcome");
            for (int i = 0; i < victims.size(); i++) {
                assertThat(presenceOf(welcome, victims.get(i).id()).path("is_online").asBoolean())
                        .as("%s in the welcome on the restarted node: %s", victims.get(i).username(), welcome)
                        .isEqualTo(i < 3);
            }
            assertThat(presenceOf(welcome, both.id()).path("is_online").asBoolean()).isTrue();
            expect(a.api().post("/api/threads/" + thread + "/messages", both.token(), "{\"text\":\"back\"}"), 201);
            onC.awaitType("message_created");
            sessions.forEach(WsProbe::close);
            List.of(onA, onB, onC, bothOnA).forEach(WsProbe::close);
        }
    }

    @Test
    void aRedisOutageClosesNoSocketAndEndsInAgreement() {
        try (ClusterNodes cluster = new ClusterNodes(dataRoot, redisUrl(), TIMINGS).add("a", "b").startAll()) {
            ServerJarProcess a = cluster.node("a");
            ServerJarProcess b = cluster.node("b");
            Account watcher = a.api().signUp("watcher" + suffix);
            Account ann = a.api().signUp("ann" + suffix);
            Account bob = a.api().signUp("bob" + suffix);
            Account cat = a.api().signUp("cat" + suffix);
            Account dan = a.api().signUp("dan" + suffix);
            String thread = a.api().threadOf("outage", watcher, ann, bob, cat, dan);
            WsProbe onA = WsProbe.online("watcher on a", a.ws(), watcher.token());
            WsProbe onB = WsProbe.online("watcher on b", b.ws(), watcher.token());
            WsProbe annOnA = WsProbe.online("ann on a", a.ws(), ann.token());
            WsProbe bobOnB = WsProbe.online("bob on b", b.ws(), bob.token());
            WsProbe danOnB = WsProbe.online("dan on b", b.ws(), dan.token());
            for (WsProbe watching : List.of(onA, onB)) {
                for (Account user : List.of(ann, bob, dan)) {
                    watching.awaitStatus(user.id(), true);
                }
            }

            redis.stop();
            for (ServerJarProcess node : List.of(a, b)) {
                await("/ready of a node without Redis for longer than the lease").atMost(LEASE.plusSeconds(10))
                        .until(() -> node.api().get("/ready", null).status() == 503);
            }
            WsProbe catOnA = WsProbe.online("cat on a", a.ws(), cat.token());
            onA.await(WsProbe.isStatus(cat.id(), true), Duration.ofSeconds(5)); // before Redis is back
            danOnB.closeCleanly();
            // chat events between a node's own sessions go on; of the status flips only a connect to this node is
            // shown to its own watchers at once (an end here says nothing of sessions on other nodes)
            expect(b.api().post("/api/threads/" + thread + "/messages", bob.token(), "{\"text\":\"no redis\"}"),
                    201);
            onB.awaitType("message_created");

            redis.start();
            long back = System.nanoTime();
            for (WsProbe watching : List.of(onA, onB)) {
                Duration left = Duration.ofSeconds(10).minusNanos(System.nanoTime() - back);
                watching.await(WsProbe.isStatus(cat.id(), true), left);
                watching.await(WsProbe.isStatus(dan.id(), false), left);
            }
            for (ServerJarProcess node : List.of(a, b)) {
                await("/ready 200 again").atMost(Duration.ofSeconds(10))
                        .until(() -> node.api().get("/ready", null).status() == 200);
            }
            assertThat(List.of(onA, onB, annOnA, bobOnB, catOnA)).as("sockets closed by the outage")
                    .noneMatch(WsProbe::isClosed);
            for (WsProbe watching : List.of(onA, onB)) {
                for (Account user : List.of(ann, bob)) {
                    assertThat(statusesAbout(watching, user)).as("%s about %s", watching, user.username())
                            .allMatch(s -> s.path("is_online").asBoolean());
                }
            }
            for (ServerJarProcess node : List.of(a, b)) {
                assertThat(presence(node, watcher, ann).path("is_online").asBoolean()).isTrue();
                assertThat(presence(node, watcher, bob).path("is_online").asBoolean()).isTrue();
                assertThat(presence(node, watcher, cat).path("is_online").asBoolean()).isTrue();
                assertThat(presence(node, watcher, dan).path("is_online").asBoolean()).isFalse();
            }
            List.of(onA, onB, annOnA, bobOnB, catOnA).forEach(WsProbe::close);
        }
    }

    @Test
    void aNodeCutOffFromRedisIsDeadToTheOthersAndComesBackWhenTheNetworkDoes() throws Exception {
        String database = "/" + DATABASES.getAndIncrement() % 16;
        try (FaultProxy network = new FaultProxy(redis.port());
             // b reaches Redis through the proxy
             ClusterNodes cluster = new ClusterNodes(dataRoot, redis.url() + database, TIMINGS).add("a")
                     .addWithRedis("b", "redis://127.0.0.1:" + network.port() + database).startAll()) {
            ServerJarProcess a = cluster.node("a");
            ServerJarProcess b = cluster.node("b");
            Account watcher = a.api().signUp("watcher" + suffix);
            Account ann = a.api().signUp("ann" + suffix);
            Account bob = a.api().signUp("bob" + suffix);
            a.api().threadOf("partition", watcher, ann, bob);
            WsProbe onA = WsProbe.online("watcher on a", a.ws(), watcher.token());
            WsProbe annOnA = WsProbe.online("ann on a", a.ws(), ann.token());
            WsProbe bobOnB = WsProbe.online("bob on b", b.ws(), bob.token());
            onA.awaitStatus(ann.id(), true);
            onA.awaitStatus(bob.id(), true);

            network.blackhole();
            // to the others, b is a dead node: bob (only on b) goes offline within lease + grace (+ 2 s)
            onA.await(WsProbe.isStatus(bob.id(), false), LEASE.plus(GRACE).plus(SLACK));
            await("/ready of the node cut off from Redis").atMost(LEASE.plusSeconds(10))
                    .until(() -> b.api().get("/ready", null).status() == 503);
            assertThat(a.api().get("/ready", null).status()).isEqualTo(200);

            network.restore();
            long back = System.nanoTime();
            // b finds itself fenced, registers bob again: online for everyone within 10 s
            await("bob online again for the watcher on a").atMost(Duration.ofSeconds(10)).until(() -> {
                List<JsonNode> seen = statusesAbout(onA, bob);
                return seen.get(seen.size() - 1).path("is_online").asBoolean();
            });
            assertIncreasing(statusesAbout(onA, bob), "watcher on a about bob");
            await("/ready of b again").atMost(Duration.ofSeconds(10).minusNanos(System.nanoTime() - back))
                    .until(() -> b.api().get("/ready", null).status() == 200);
            assertThat(List.of(onA, annOnA, bobOnB)).as("sockets closed by the partition")
                    .noneMatch(WsProbe::isClosed);
            assertThat(statusesAbout(onA, ann)).allMatch(s -> s.path("is_online").asBoolean());
            for (ServerJarProcess node : List.of(a, b)) {
                assertThat(presence(node, watcher, bob).path("is_online").asBoolean()).isTrue();
                assertThat(presence(node, watcher, ann).path("is_online").asBoolean()).isTrue();
            }
            List.of(onA, annOnA, bobOnB).forEach(WsProbe::close);
        }
    }

    // --- plumbing --------------------------------------------------------------------------------------

    private static String redisUrl() {
        return redis.url() + "/" + DATABASES.getAndIncrement() % 16;
    }

    static void assertIncreasing(List<JsonNode> statuses, String what) {
        for (int i = 1; i < statuses.size(); i++) {
            assertThat(statuses.get(i).path("version").asLong()).as("versions %s: %s", what, versions(statuses))
                    .isGreaterThan(statuses.get(i - 1).path("version").asLong());
        }
    }

    /** What {@code who} learns from {@code node}'s {@code GET /api/presence} about {@code about}. */
    static JsonNode presence(ServerJarProcess node, Account who, Account about) {
        Api.Reply reply = expect(node.api().get("/api/presence?user_id=" + about.id(), who.token()), 200);
        assertThat(reply.body()).as("%s", reply.raw()).hasSize(1);
        return reply.body().get(0);
    }

    static JsonNode presenceOf(JsonNode welcome, String userId) {
        for (JsonNode status : welcome.path("presence")) {
            if (userId.equals(status.path("user_id").asText())) {
                return status;
            }
        }
        throw new AssertionError("no status of " + userId + " in " + welcome);
    }

    static List<JsonNode> statusesAbout(WsProbe probe, Account user) {
        return StatusFrames.about(user.id(), probe.frames());
    }

    static Api.Reply expect(Api.Reply reply, int status) {
        assertThat(reply.status()).as("%s", reply.raw()).isEqualTo(status);
        return reply;
    }

    static String versions(List<JsonNode> statuses) {
        return statuses.stream().map(s -> s.path("is_online").asBoolean() + "@" + s.path("version").asLong())
                .collect(Collectors.joining(", ", "[", "]"));
    }

    static List<String> ids(List<Account> accounts) {
        List<String> ids = new ArrayList<>();
        accounts.forEach(a -> ids.add(a.id()));
        return ids;
    }
}
