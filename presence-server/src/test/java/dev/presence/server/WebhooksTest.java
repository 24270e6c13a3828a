package dev.presence.server;

import dev.presence.server.support.Api.Account;
import dev.presence.server.support.TestServer;
import dev.presence.server.support.WebhookReceiver;
import dev.presence.server.support.WebhookReceiver.Received;
import dev.presence.server.support.WsProbe;
import dev.presence.server.webhook.WebhookSettings;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Webhooks end to end: a real server, real WebSocket clients, and a real HTTP endpoint in the test that checks
 * signatures and fails, stalls and recovers on command.
 */
class WebhooksTest {

    private static final String SECRET = "a-secret-the-app-and-the-server-share";
    private static final Duration DEADLINE = Duration.ofSeconds(20);

    private WebhookReceiver receiver;
    private TestServer server;

    @BeforeEach
    void start() throws Exception {
        receiver = new WebhookReceiver(SECRET);
        server = TestServer.create().shortHeartbeat().with(b -> b.webhooks(WebhookSettings.of(receiver.url(),
                        SECRET.getBytes(StandardCharsets.UTF_8)).withTimings(Duration.ofSeconds(1),
                        Duration.ofMillis(100), Duration.ofMillis(100), Duration.ofMillis(400), Duration.ofHours(24),
                        Duration.ofSeconds(3))))
                .start();
    }

    @AfterEach
    void stop() {
        server.close();
        receiver.close();
    }

    /** Connects and disconnects cleanly, waiting until the watcher has seen both flips. */
    private void onlineThenOffline(Account who, WsProbe watcher, int round) {
        try (WsProbe probe = WsProbe.online(who.username(), server.wsUri(), who.token())) {
            awaitNthStatus(watcher, who.id(), 2 * round + 1);
            probe.closeCleanly();
            awaitNthStatus(watcher, who.id(), 2 * round + 2);
        }
    }

    private static void awaitNthStatus(WsProbe watcher, String userId, int n) {
        Awaitility.await().atMost(DEADLINE).until(() -> watcher.statusesOf(userId).size() >= n);
    }

    /** The distinct webhook ids of a user, in the order they were first accepted. */
    private List<String> deliveredIds(String userId) {
        Set<String> ids = new LinkedHashSet<>();
        receiver.acceptedFor(userId).forEach(r -> ids.add(r.id()));
        return new ArrayList<>(ids);
    }

    private void awaitDelivered(String userId, int count) {
        Awaitility.await().alias(userId + " has " + count + " webhooks").atMost(DEADLINE)
                .until(() -> deliveredIds(userId).size() >= count);
    }

    private static void assertAlternatingInOrder(List<Received> accepted, List<String> ids) {
        List<Received> firsts = ids.stream().map(id -> accepted.stream().filter(r -> r.id().equals(id))
                .findFirst().orElseThrow()).toList();
        long last = 0;
        for (int i = 0; i < firsts.size(); i++) {
            Received r = firsts.get(i);
            assertThat(r.signatureValid()).as("signature of %s", r.id()).isTrue();
            assertThat(r.body().path("type").asText()).isEqualTo("user_status_changed");
            assertThat(r.body().path("id").asText()).isEqualTo(r.id());
            assertThat(r.body().path("is_online").asBoolean()).as("flip %d of %s", i, ids).isEqualTo(i % 2 == 0);
            long version = r.body().path("version").asLong();
            assertThat(version).as("versions grow: %s", ids).isGreaterThan(last);
            assertThat(r.id()).isEqualTo(r.body().path("user_id").asText() + ":" + version);
            last = version;
        }
    }

    @Test
    void onlineThenOfflineArriveSignedAndInOrder() {
        Account ann = server.api().signUp("ann");
        Account bob = server.api().signUp("bob");
        server.api().threadOf("pair", ann, bob);
        long before = System.currentTimeMillis();
        try (WsProbe watcher = WsProbe.online("bob", server.wsUri(), bob.token())) {
            onlineThenOffline(ann, watcher, 0);
            awaitDelivered(ann.id(), 2);
            List<Received> accepted = receiver.acceptedFor(ann.id());
            assertAlternatingInOrder(accepted, deliveredIds(ann.id()));
            Received offline = accepted.get(accepted.size() - 1);
            assertThat(offline.body().path("last_seen").asLong()).isGreaterThanOrEqualTo(before);
            assertThat(offline.body().path("sent_at").asLong()).isGreaterThanOrEqualTo(
                    offline.body().path("last_seen").asLong());
            // the watcher saw the same versions the app was sent
            assertThat(watcher.statusesOf(ann.id())).extracting(f -> f.path("version").asLong())
                    .containsExactlyElementsOf(accepted.stream().map(r -> r.body().path("version").asLong())
                            .distinct().toList());
        }
        assertThat(receiver.acceptedFor(bob.id())).extracting(r -> r.body().path("is_online").asBoolean())
                .startsWith(true);
    }

    @Test
    void aFailingReceiverGetsEveryChangeInOrderOnceItRecovers() {
        Account ann = server.api().signUp("ann");
        Account bob = server.api().signUp("bob");
        server.api().threadOf("pair", ann, bob);
        try (WsProbe watcher = WsProbe.online("bob", server.wsUri(), bob.token())) {
            receiver.fail();
            for (int round = 0; round < 3; round++) {
                onlineThenOffline(ann, watcher, round);
            }
            Awaitility.await().atMost(DEADLINE).until(() -> receiver.attempts() >= 4); // retried, not given up
            assertThat(receiver.accepted()).isEmpty();
            receiver.answer();
            awaitDelivered(ann.id(), 6);
            assertThat(deliveredIds(ann.id())).hasSize(6);
            assertAlternatingInOrder(receiver.acceptedFor(ann.id()), deliveredIds(ann.id()));
            Awaitility.await().atMost(DEADLINE).until(() -> metric("presence_webhook_queue_depth") == 0);
            assertThat(metric("presence_webhook_failures_total")).isGreaterThanOrEqualTo(4);
            assertThat(metric("presence_webhook_delivered_total")).isGreaterThanOrEqualTo(6);
        }
    }

    @Test
    void aStalledReceiverDelaysNoStatusAndGetsItsWebhooksAfterItWakes() {
        Account ann = server.api().signUp("ann");
        Account bob = server.api().signUp("bob");
        server.api().threadOf("pair", ann, bob);
        try (WsProbe watcher = WsProbe.online("bob", server.wsUri(), bob.token())) {
            Awaitility.await().atMost(DEADLINE).until(() -> deliveredIds(bob.id()).size() == 1);
            receiver.stall();
            for (int round = 0; round < 2; round++) {
                try (WsProbe a = WsProbe.online("ann", server.wsUri(), ann.token())) {
                    long connected = System.currentTimeMillis();
                    awaitNthStatus(watcher, ann.id(), 2 * round + 1);
                    // a status still reaches a watcher at once: the webhook sender waits on its own thread
                    assertThat(System.currentTimeMillis() - connected).as("online shown to the watcher within")
                            .isLessThan(2000);
                    a.closeCleanly();
                    long closed = System.currentTimeMillis();
                    awaitNthStatus(watcher, ann.id(), 2 * round + 2);
                    assertThat(System.currentTimeMillis() - closed).as("offline shown to the watcher within")
                            .isLessThan(2000);
                }
            }
            Awaitility.await().atMost(DEADLINE).until(() -> receiver.attempts() >= 2); // stalled, timed out, again
            assertThat(deliveredIds(ann.id())).isEmpty();
            receiver.answer();
            awaitDelivered(ann.id(), 4);
            assertAlternatingInOrder(receiver.acceptedFor(ann.id()), deliveredIds(ann.id()));
        }
    }

    @Test
    void undeliveredChangesAreSentAfterARestart() {
        Account ann = server.api().signUp("ann");
        Account bob = server.api().signUp("bob");
        server.api().threadOf("pair", ann, bob);
        receiver.fail();
        try (WsProbe watcher = WsProbe.online("bob", server.wsUri(), bob.token())) {
            onlineThenOffline(ann, watcher, 0);
            Awaitility.await().atMost(DEADLINE).until(() -> receiver.attempts() >= 2);
        }
        server.stop();
        receiver.answer();
        server.start();
        awaitDelivered(ann.id(), 2);
        assertAlternatingInOrder(receiver.acceptedFor(ann.id()), deliveredIds(ann.id()));
        // bob: online, then offline when the shutdown closed his socket, both kept over the restart
        awaitDelivered(bob.id(), 2);
        assertAlternatingInOrder(receiver.acceptedFor(bob.id()), deliveredIds(bob.id()));
    }

    private double metric(String name) {
        String text = server.api().get("/metrics", null).raw();
        for (String line : text.split("\n")) {
            if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        throw new AssertionError(name + " not in /metrics:\n" + text);
    }
}
