package dev.presence.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.presence.server.support.Api;
import dev.presence.server.support.Api.Account;
import dev.presence.server.support.ClusterNodes;
import dev.presence.server.support.ServerJarProcess;
import dev.presence.server.support.StatusFrames;
import dev.presence.server.support.WsProbe;
import dev.presence.testkit.RedisServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Cluster mode end to end: nodes are separate JVMs (the packaged jar) sharing a throwaway PostgreSQL schema and
 * the test's own {@code redis-server}; clients are raw WebSockets and HTTP. Users on different nodes see each
 * other as on one server; a user is online while a session on any node lives; a node killed with SIGKILL has its
 * users go offline everywhere within lease + grace (+ 2 s), once, and can come back; a Redis outage closes no
 * socket and ends in agreement. Skipped with a message without PostgreSQL or {@code redis-server} (unless
 * {@code CI=true}).
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

    private final String suffix = UUID.randomUUID().toString().substring(0, 6);

    @Test
    void usersOnDifferentNodesSeeEachOther() {
        try (ClusterNodes cluster = new ClusterNodes(dataRoot, redis.url(), TIMINGS).add("a", "b").startAll()) {
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
            JsonNode offline = annOnA.await(WsProbe.isStatus(cat.id(), false), GRACE.plus(Duration.ofSeconds(10)));
            assertThat(offline.path("last_seen").asLong()).isPositive();
            assertThat(presence(b, ann, cat).path("is_online").asBoolean()).isFalse();
            annOnA.close();
            bobOnB.close();
        }
    }

    @Test
    void aUserWithDevicesOnTwoNodesStaysOnlineWhenOneLeaves() {
        try (ClusterNodes cluster = new ClusterNodes(dataRoot, redis.url(), TIMINGS).add("a", "b").startAll()) {
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
                    .until(() -> statusesAbout(watching, bob).stream().allMatch(s -> s.path("is_online").asBoolean()));
            assertThat(presence(b, watcher, bob).path("is_online").asBoolean()).isTrue();

            phone.closeCleanly();
            watching.awaitStatus(bob.id(), false);
            assertThat(statusesAbout(watching, bob).stream().filter(s -> !s.path("is_online").asBoolean()))
                    .hasSize(1);
            watching.close();
        }
    }

    // --- plumbing --------------------------------------------------------------------------------------

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
