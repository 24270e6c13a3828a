package dev.presence.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.presence.server.support.Api.Account;
import dev.presence.server.support.ClusterNodes;
import dev.presence.server.support.ServerJarProcess;
import dev.presence.server.support.WebhookReceiver;
import dev.presence.server.support.WebhookReceiver.Received;
import dev.presence.server.support.WsProbe;
import dev.presence.testkit.RedisServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Webhooks in cluster mode: two nodes (separate JVMs on one PostgreSQL schema and the test's Redis) with one
 * endpoint in the test. Users connect on either node, go online and offline, one through a grace expiry: each
 * flip arrives once, as the version the watchers were shown, in order per user, and in steady state no id twice.
 * Then, with the endpoint failing, the node that holds the send lease is killed: the other takes the lease over
 * once it lapses and delivers everything that waited, the killed node's users' offline flips included.
 * Skipped with a message without PostgreSQL or {@code redis-server} (unless {@code CI=true}).
 */
class WebhookClusterIT {

    private static final String SECRET = "cluster-webhook-secret";
    private static final Duration GRACE = Duration.ofMillis(1500);
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    private static final AtomicInteger DATABASES = new AtomicInteger(8);

    @TempDir
    Path dataRoot;

    private final String suffix = UUID.randomUUID().toString().substring(0, 6);

    @Test
    void everyFlipArrivesOnceInOrderAndTheOtherNodeTakesOverWhenTheSenderDies() throws Exception {
        Path secretFile = Files.writeString(dataRoot.resolve("webhook-secret"), SECRET + "\n");
        try (WebhookReceiver receiver = new WebhookReceiver(SECRET);
             ClusterNodes cluster = new ClusterNodes(dataRoot.resolve("nodes"), redis.url() + "/"
                     + DATABASES.getAndIncrement() % 16,
                     "--node-lease", "2s", "--offline-grace", "1500ms", "--drain", "500ms",
                     "--heartbeat-interval", "2s", "--heartbeat-timeout", "2s",
                     "--webhook-url", receiver.url().toString(), "--webhook-secret-file", secretFile.toString(),
                     "--webhook-lease", "3s", "--webhook-max-retry", "1s").add("a", "b").startAll()) {
            ServerJarProcess a = cluster.node("a");
            ServerJarProcess b = cluster.node("b");
            Account watcher = a.api().signUp("watcher" + suffix);
            Account ann = a.api().signUp("ann" + suffix);
            Account bob = a.api().signUp("bob" + suffix);
            Account cat = a.api().signUp("cat" + suffix);
            Account dan = a.api().signUp("dan" + suffix);
            List<Account> users = List.of(ann, bob, cat, dan);
            a.api().threadOf("hooks", watcher, ann, bob, cat, dan);
            WsProbe watchOnA = WsProbe.online("watcher on a", a.ws(), watcher.token());
            WsProbe watchOnB = WsProbe.online("watcher on b", b.ws(), watcher.token());
            Map<String, WsProbe> watchers = Map.of("a", watchOnA, "b", watchOnB);

            // --- steady state: flips made on both nodes, one by a grace expiry
            WsProbe annOnA = WsProbe.online("ann on a", a.ws(), ann.token());
            WsProbe bobOnB = WsProbe.online("bob on b", b.ws(), bob.token());
            awaitFlips(watchOnA, ann, 1);
            awaitFlips(watchOnA, bob, 1);
            annOnA.closeCleanly();
            WsProbe bobOnA = WsProbe.online("bob's second device on a", a.ws(), bob.token());
            bobOnB.closeCleanly(); // still online on a: no flip
            bobOnA.closeCleanly();
            WsProbe catOnB = WsProbe.online("cat on b", b.ws(), cat.token());
            awaitFlips(watchOnA, cat, 1);
            catOnB.abort(); // no close frame: offline after the grace
            WsProbe annOnB = WsProbe.online("ann on b", b.ws(), ann.token());
            awaitFlips(watchOnA, ann, 3);
            annOnB.closeCleanly();
            awaitFlips(watchOnA, ann, 4);
            awaitFlips(watchOnA, bob, 2);
            awaitFlips(watchOnA, cat, 2);

            for (Account user : users) {
                await(user.username() + "'s webhooks").atMost(DEADLINE)
                        .until(() -> receiver.acceptedIdsOf(user.id()).size()
                                >= watchOnA.statusesOf(user.id()).size());
            }
            for (Account user : users) {
                assertSameFlips(receiver, watchOnA, user);
            }
            assertThat(receiver.acceptedDuplicates()).as("ids accepted twice in steady state").isZero();
            assertThat(receiver.answered()).allMatch(r -> r.answered() / 100 == 2);
            assertThat(receiver.accepted()).allMatch(Received::signatureValid);

            // --- the sending node dies while the endpoint fails; the other takes over when its lease lapses
            String leader = await("a node holds the send lease").atMost(DEADLINE)
                    .until(() -> sender(cluster), id -> id != null);
            String survivorId = leader.equals("a") ? "b" : "a";
            ServerJarProcess dying = cluster.node(leader);
            ServerJarProcess survivor = cluster.node(survivorId);
            WsProbe watching = watchers.get(survivorId);
            int answeredBefore = receiver.answered().size();
            receiver.fail();
            WsProbe danOnDying = WsProbe.online("dan on " + leader, dying.ws(), dan.token());
            WsProbe annOnSurvivor = WsProbe.online("ann on " + survivorId, survivor.ws(), ann.token());
            awaitFlips(watching, dan, 1);
            awaitFlips(watching, ann, 5);
            annOnSurvivor.closeCleanly();
            awaitFlips(watching, ann, 6);
            await("the failing endpoint was tried").atMost(DEADLINE)
                    .until(() -> receiver.answered().size() > answeredBefore);

            dying.kill9();
            danOnDying.close();
            // dan's session died with its node: offline after the node lease and the grace
            awaitFlips(watching, dan, 2);
            receiver.answer();
            for (Account user : users) {
                await(user.username() + "'s webhooks after the takeover").atMost(DEADLINE)
                        .until(() -> receiver.acceptedIdsOf(user.id()).size()
                                >= watching.statusesOf(user.id()).size());
            }
            for (Account user : users) {
                assertSameFlips(receiver, watching, user);
            }
            assertThat(survivor.output()).anyMatch(line -> line.contains("Webhooks: now sending from this node"));
            watchOnA.close();
            watchOnB.close();
        }
    }

    /** The node whose log says it sends now, or null. */
    private static String sender(ClusterNodes cluster) {
        String found = null;
        for (String id : cluster.ids()) {
            for (String line : cluster.node(id).output()) {
                if (line.contains("Webhooks: now sending from this node")) {
                    found = id;
                } else if (line.contains("Webhooks: no longer sending from this node") && id.equals(found)) {
                    found = null;
                }
            }
        }
        return found;
    }

    private static void awaitFlips(WsProbe watcher, Account user, int count) {
        await(watcher + " sees " + count + " flips of " + user.username())
                .atMost(GRACE.plus(Duration.ofSeconds(20)))
                .until(() -> watcher.statusesOf(user.id()).size() >= count);
    }

    /**
     * The endpoint got exactly the flips the watcher was shown: the same versions, each as one id, first
     * accepted in version order, online and offline alternating.
     */
    private static void assertSameFlips(WebhookReceiver receiver, WsProbe watcher, Account user) {
        List<JsonNode> shown = watcher.statusesOf(user.id());
        List<Received> accepted = receiver.acceptedFor(user.id());
        List<String> ids = receiver.acceptedIdsOf(user.id());
        List<Long> versions = new ArrayList<>();
        List<Boolean> online = new ArrayList<>();
        for (String id : ids) {
            Received first = accepted.stream().filter(r -> r.id().equals(id)).findFirst().orElseThrow();
            assertThat(first.id()).isEqualTo(user.id() + ":" + first.body().path("version").asLong());
            versions.add(first.body().path("version").asLong());
            online.add(first.body().path("is_online").asBoolean());
        }
        assertThat(versions).as("versions of %s's webhooks, in the order accepted", user.username())
                .containsExactlyElementsOf(shown.stream().map(s -> s.path("version").asLong()).toList());
        assertThat(online).as("online/offline of %s's webhooks", user.username())
                .containsExactlyElementsOf(shown.stream().map(s -> s.path("is_online").asBoolean()).toList());
    }
}
