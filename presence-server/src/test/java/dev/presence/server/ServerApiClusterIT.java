package dev.presence.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.presence.server.support.Api.Account;
import dev.presence.server.support.Api.Reply;
import dev.presence.server.support.ClusterNodes;
import dev.presence.server.support.ServerJarProcess;
import dev.presence.server.support.WsProbe;
import dev.presence.testkit.RedisServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The server API in cluster mode: calls made on one node take effect for sockets on another (membership through
 * the cluster's audience, events through every node's delivery). Two nodes as separate JVMs (the packaged jar),
 * PostgreSQL and the test's own {@code redis-server}; skipped with a message without them (unless
 * {@code CI=true}).
 */
class ServerApiClusterIT {

    private static final String KEY = "cluster-key-0123456789abcdef";

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    @TempDir
    Path dataRoot;

    private final String suffix = UUID.randomUUID().toString().substring(0, 6);

    @Test
    void aThreadPutOnOneNodeJoinsMembersOnTheOtherAndEventsReachThem() throws IOException {
        Path keys = Files.writeString(dataRoot.resolve("api-keys"), KEY + "\n");
        try (ClusterNodes cluster = new ClusterNodes(dataRoot, redis.url() + "/0", "--node-lease", "2s",
                "--offline-grace", "1500ms", "--drain", "500ms", "--api-key-file", keys.toString())
                .add("a", "b").startAll()) {
            ServerJarProcess a = cluster.node("a");
            ServerJarProcess b = cluster.node("b");
            Account ann = a.api().signUp("ann" + suffix);
            Account bob = b.api().signUp("bob" + suffix);
            WsProbe annOnA = WsProbe.online("ann on a", a.ws(), ann.token());
            WsProbe bobOnB = WsProbe.online("bob on b", b.ws(), bob.token());

            String thread = "room-" + suffix;
            Reply put = a.api().server("PUT", "/api/server/threads/" + thread, KEY, "{\"title\":\"Across\","
                    + "\"members\":[\"" + ann.id() + "\",\"" + bob.id() + "\"]}");
            assertThat(put.status()).as(put.raw()).isEqualTo(201);

            bobOnB.awaitStatus(ann.id(), true);
            annOnA.awaitStatus(bob.id(), true);

            Reply event = a.api().server("POST", "/api/server/events", KEY, "{\"thread_id\":\"" + thread
                    + "\",\"event\":{\"type\":\"app.hello\",\"from\":\"a\"}}");
            assertThat(event.status()).as(event.raw()).isEqualTo(202);
            assertThat(event.body().path("delivered").asInt()).as("both are online, cluster-wide").isEqualTo(2);
            JsonNode seen = bobOnB.awaitType("app.hello");
            assertThat(seen.path("from").asText()).isEqualTo("a");
            annOnA.awaitType("app.hello");

            Reply toUser = b.api().server("POST", "/api/server/events", KEY, "{\"user_ids\":[\"" + ann.id()
                    + "\"],\"event\":{\"type\":\"app.direct\"}}");
            assertThat(toUser.status()).as(toUser.raw()).isEqualTo(202);
            annOnA.awaitType("app.direct");

            Reply removed = b.api().server("DELETE", "/api/server/threads/" + thread + "/members/" + bob.id(), KEY,
                    null);
            assertThat(removed.status()).as(removed.raw()).isEqualTo(204);
            annOnA.await(f -> "thread_member_left".equals(f.path("type").asText())
                    && bob.id().equals(f.path("user_id").asText()));

            Reply presence = b.api().server("GET", "/api/server/presence?user_id=" + ann.id(), KEY, null);
            assertThat(presence.body().get(0).path("is_online").asBoolean()).as("ann is on a; asked on b").isTrue();
        }
    }
}
