package dev.presence.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.presence.server.support.Api.Account;
import dev.presence.server.support.TestServer;
import dev.presence.server.support.WsProbe;
import dev.presence.testkit.FaultProxy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.presence.server.support.TestServer.SHORT_GRACE;
import static dev.presence.server.support.TestServer.SHORT_INTERVAL;
import static dev.presence.server.support.TestServer.SHORT_TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The original design's four scenarios and its known holes, against a real server on a random port with real
 * WebSocket clients; a TCP proxy simulates dead networks.
 */
class PresenceScenariosTest {

    /** Slack for a busy 2-core machine on top of the protocol's own bound. */
    private static final Duration SLACK = Duration.ofSeconds(3);

    @RegisterExtension
    final TestServer server = TestServer.create().shortHeartbeat();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private Account ann;
    private Account bob;
    private Account cat;

    @BeforeEach
    void start() {
        ann = server.api().signUp("ann");
        bob = server.api().signUp("bob");
        cat = server.api().signUp("cat");
        server.api().threadOf("team", ann, bob, cat);
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    private WsProbe online(String name, Account account) {
        return keep(WsProbe.online(name, server.wsUri(), account.token()));
    }

    private WsProbe onlineThrough(FaultProxy proxy, String name, Account account) {
        return keep(WsProbe.online(name, TestServer.wsAt(proxy.port()), account.token()));
    }

    private FaultProxy proxy() throws Exception {
        return keep(new FaultProxy(server.port()));
    }

    private <T extends AutoCloseable> T keep(T closeable) {
        closeables.add(closeable);
        return closeable;
    }

    /**
     * Asserts that {@code watcher} hears nothing of {@code userId} from now on: a later event (cat coming
     * online) must arrive with nothing about that user before it. Events are sent in order, so anything the
     * server would have sent about the user is in front of cat's.
     */
    private void assertNothingMoreAbout(WsProbe watcher, String userId, int alreadySeen) {
        WsProbe sentinel = online("cat", cat);
        watcher.awaitStatus(cat.id(), true);
        assertThat(watcher.statusesOf(userId)).hasSize(alreadySeen);
        sentinel.closeCleanly();
    }

    @Test
    void cleanDisconnectIsToldAtOnce() {
        WsProbe a = online("ann", ann);
        WsProbe b = online("bob", bob);
        a.awaitStatus(bob.id(), true);

        long start = System.nanoTime();
        b.closeCleanly();
        JsonNode offline = a.awaitStatus(bob.id(), false);

        // immediate: well before the offline grace would have run out
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(SHORT_GRACE);
        assertThat(offline.path("timestamp").asLong()).isBetween(System.currentTimeMillis() / 1000 - 60,
                System.currentTimeMillis() / 1000 + 1);
        assertThat(offline.path("last_seen").asLong()).isPositive();
    }

    @Test
    void deadNetworkIsFoundWithinIntervalPlusTimeout() throws Exception {
        FaultProxy proxy = proxy();
        WsProbe a = online("ann", ann);
        onlineThrough(proxy, "bob", bob);
        a.awaitStatus(bob.id(), true);

        proxy.blackhole(); // nothing closes: the server must notice the silence itself
        a.await(WsProbe.isStatus(bob.id(), false), SHORT_INTERVAL.plus(SHORT_TIMEOUT).plus(SLACK));

        // and it was the heartbeat that found it: a connection that closed would have gone offline within that
        // bound too, after the offline grace
        await().atMost(SLACK).until(() -> server.api().get("/metrics", null).raw()
                .contains("presence_stale_connections_total 1.0"));
    }

    @Test
    void reconnectAfterAShortOutageShowsOfflineThenOnlineWithGrowingVersions() throws Exception {
        FaultProxy proxy = proxy();
        WsProbe a = online("ann", ann);
        onlineThrough(proxy, "bob", bob);
        long onlineVersion = a.awaitStatus(bob.id(), true).path("version").asLong();

        proxy.blackhole();
        long offlineVersion = a.awaitStatus(bob.id(), false).path("version").asLong();
        proxy.restore();
        WsProbe back = onlineThrough(proxy, "bob again", bob);

        JsonNode again = a.awaitStatus(bob.id(), true, offlineVersion);
        assertThat(offlineVersion).isGreaterThan(onlineVersion);
        assertThat(again.path("version").asLong()).isGreaterThan(offlineVersion);
        // and the reconnected client's snapshot shows ann online
        JsonNode welcome = back.awaitType("welcome");
        assertThat(welcome.path("presence").findValuesAsText("user_id")).contains(ann.id());
    }

    @Test
    void longOutageWithManyFailedReconnectsThenSuccess() throws Exception {
        FaultProxy proxy = proxy();
        WsProbe a = online("ann", ann);
        onlineThrough(proxy, "bob", bob);
        a.awaitStatus(bob.id(), true);

        proxy.cut(); // resets the connection and refuses new ones
        long offlineVersion = a.awaitStatus(bob.id(), false).path("version").asLong();
        int failures = 0;
        for (int attempt = 0; attempt < 5; attempt++) {
            var tryIt = WsProbe.tryConnect(TestServer.wsAt(proxy.port()), bob.token(), null);
            try {
                tryIt.get(5, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                failures++;
            }
        }
        assertThat(failures).isEqualTo(5);

        proxy.restore();
        onlineThrough(proxy, "bob back", bob);
        // a new "online", not the one from before the outage
        a.awaitStatus(bob.id(), true, offlineVersion);
        assertThat(a.statusesOf(bob.id())).extracting(f -> f.path("is_online").asBoolean())
                .containsExactly(true, false, true);
    }

    @Test
    void twoDevicesOneLeavesSendsNoEvent() {
        WsProbe a = online("ann", ann);
        WsProbe phone = online("bob phone", bob);
        online("bob laptop", bob);
        a.awaitStatus(bob.id(), true);

        phone.closeCleanly();

        assertNothingMoreAbout(a, bob.id(), 1);
    }

    @Test
    void reapingAStaleSessionAfterANewerOneStartedSendsNoEvent() throws Exception {
        FaultProxy proxy = proxy();
        WsProbe a = online("ann", ann);
        onlineThrough(proxy, "bob old", bob);
        a.awaitStatus(bob.id(), true);

        proxy.blackhole(); // the old session goes silent
        online("bob new", bob); // and the user comes back on a new one before the reaper runs
        await().atMost(SHORT_INTERVAL.plus(SHORT_TIMEOUT).plus(SLACK))
                .until(() -> server.api().get("/metrics", null).raw().contains("presence_stale_connections_total 1.0"));

        assertNothingMoreAbout(a, bob.id(), 1);
    }

    @Test
    void dropAndReconnectInsideTheGraceSendsNoEventAtAll() {
        WsProbe a = online("ann", ann);
        WsProbe b = online("bob", bob);
        a.awaitStatus(bob.id(), true);

        b.abort(); // TCP gone, no close frame
        online("bob again", bob);

        // past the grace, still nothing about bob but his first coming online
        await().during(SHORT_GRACE.plus(Duration.ofMillis(500))).atMost(SHORT_GRACE.plus(SLACK))
                .until(() -> a.statusesOf(bob.id()).size() == 1);
        assertNothingMoreAbout(a, bob.id(), 1);
    }

    @Test
    void dropWithoutReconnectGoesOfflineAfterTheGrace() {
        WsProbe a = online("ann", ann);
        WsProbe b = online("bob", bob);
        a.awaitStatus(bob.id(), true);

        long start = System.nanoTime();
        b.abort();
        a.await(WsProbe.isStatus(bob.id(), false), SHORT_GRACE.plus(SLACK));

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(SHORT_GRACE.minusMillis(100));
    }

    @Test
    void aClientThatNeverAnswersPingsIsReaped() {
        WsProbe a = online("ann", ann);
        WsProbe b = online("bob", bob);
        b.stopAnsweringPings();
        a.awaitStatus(bob.id(), true);

        a.await(WsProbe.isStatus(bob.id(), false), SHORT_INTERVAL.plus(SHORT_TIMEOUT).plus(SLACK));
        assertThat(b.awaitClose()).isIn(1001, -1);
    }

    @Test
    void aUserWhoSharesNoThreadIsNeverSeen() {
        Account eve = server.api().signUp("eve");
        Account fay = server.api().signUp("fay");
        server.api().threadOf("eve and fay", eve, fay); // eve has company, none of it ann's
        WsProbe e = online("eve", eve);
        WsProbe a = online("ann", ann); // ann comes online while eve is there to hear it

        assertThat(e.awaitType("welcome").path("presence").findValuesAsText("user_id")).containsExactly(fay.id());
        assertThat(a.awaitType("welcome").path("presence").findValuesAsText("user_id"))
                .containsExactlyInAnyOrder(bob.id(), cat.id());
        assertThat(server.api().get("/api/presence?user_id=" + eve.id() + "&user_id=" + bob.id(), ann.token())
                .body().findValuesAsText("user_id")).containsExactly(bob.id());
        // fay coming online reaches eve behind anything the server had sent her about ann
        online("fay", fay);
        e.awaitStatus(fay.id(), true);
        assertThat(e.statusesOf(ann.id())).isEmpty();

        e.closeCleanly();
        assertNothingMoreAbout(a, eve.id(), 0);
    }

    @Test
    void joiningShowsBothSidesEachOthersStatusAndLeavingStopsIt() {
        Account eve = server.api().signUp("eve");
        String solo = server.api().createThread(eve, "eve's");
        WsProbe a = online("ann", ann);
        WsProbe e = online("eve", eve);

        server.api().addMember(solo, eve, ann);

        JsonNode eveSeen = a.awaitStatus(eve.id(), true);
        e.awaitStatus(ann.id(), true);
        a.await(f -> "invitation_accepted".equals(f.path("type").asText()));
        e.await(f -> "invitation_accepted".equals(f.path("type").asText())
                && ann.id().equals(f.path("user").path("id").asText()) && f.path("user").path("is_online").asBoolean());
        assertThat(eveSeen.path("version").asLong()).isPositive();

        assertThat(server.api().call("DELETE", "/api/threads/" + solo + "/members/me", ann.token(), null).status())
                .isEqualTo(204);
        e.closeCleanly();
        assertNothingMoreAbout(a, eve.id(), 1);
    }

    @Test
    void theWelcomeSnapshotIsHowAReconnectCatchesUp() {
        WsProbe b = online("bob", bob);
        b.closeCleanly();
        WsProbe a = online("ann", ann);
        a.closeCleanly(); // ann misses bob's next change
        online("bob again", bob);

        JsonNode welcome = online("ann again", ann).awaitType("welcome");
        JsonNode bobStatus = null;
        for (JsonNode s : welcome.path("presence")) {
            if (s.path("user_id").asText().equals(bob.id())) {
                bobStatus = s;
            }
        }
        assertThat(bobStatus).isNotNull();
        assertThat(bobStatus.path("is_online").asBoolean()).isTrue();
        assertThat(welcome.path("heartbeat").path("interval_ms").asLong()).isEqualTo(SHORT_INTERVAL.toMillis());
        assertThat(welcome.path("heartbeat").path("timeout_ms").asLong()).isEqualTo(SHORT_TIMEOUT.toMillis());
        assertThat(welcome.path("session_id").asText()).isNotEmpty();
        assertThat(welcome.path("user_id").asText()).isEqualTo(ann.id());
    }

    @Test
    void serverPingsEveryIntervalAndThePongKeepsTheConnection() {
        WsProbe a = online("ann", ann);
        await().atMost(SHORT_INTERVAL.multipliedBy(5).plus(SLACK))
                .until(() -> a.frames().stream().filter(f -> "ping".equals(f.path("type").asText())).count() >= 3);
        assertThat(a.isClosed()).isFalse();
    }
}
