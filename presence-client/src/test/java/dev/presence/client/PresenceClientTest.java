package dev.presence.client;

import dev.presence.client.api.ChatThread;
import dev.presence.client.api.Member;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The client's state machine on virtual time, against a fake transport: no sockets, no sleeps. */
class PresenceClientTest {

    private final VirtualLoop loop = new VirtualLoop();
    private final FakeTransport transport = new FakeTransport(loop::nowMillis);
    private final List<String> events = new ArrayList<>();
    private final List<String> logs = new ArrayList<>();
    private final Logger julLogger = Logger.getLogger(PresenceClient.class.getName());
    private final Handler logCapture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            logs.add(record.getMessage());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private PresenceClient client;

    @BeforeEach
    void captureLogs() {
        julLogger.addHandler(logCapture);
    }

    @AfterEach
    void releaseLogs() {
        julLogger.removeHandler(logCapture);
    }

    private PresenceClient client(Backoff backoff) {
        client = PresenceClient.builder(URI.create("ws://server/ws"), "secret-token")
                .transport(transport)
                .eventLoop(loop)
                .backoff(backoff)
                .listener(new ConnectionListener() {
                    @Override
                    public void onStateChanged(PresenceClient c, ConnectionState from, ConnectionState to) {
                        events.add(to.name());
                    }

                    @Override
                    public void onReconnectScheduled(PresenceClient c, int attempt, Duration delay) {
                        events.add("scheduled " + attempt + " in " + delay.toMillis());
                    }

                    @Override
                    public void onReconnected(PresenceClient c, int attempts) {
                        events.add("reconnected after " + attempts);
                    }

                    @Override
                    public void onClosed(PresenceClient c, int code, String reason) {
                        events.add("closed " + code);
                    }
                })
                .build();
        return client;
    }

    private FakeTransport.Attempt connected(long intervalMs, long timeoutMs) {
        client.connect();
        FakeTransport.Attempt attempt = transport.last().accept().welcome(intervalMs, timeoutMs);
        assertThat(client.isConnected()).isTrue();
        return attempt;
    }

    @Test
    void connectsWithTheTokenInTheUpgradeAndBecomesConnectedOnWelcome() {
        client(Backoff.withoutJitter()).connect();

        assertThat(client.state()).isEqualTo(ConnectionState.CONNECTING);
        assertThat(transport.last().headers).containsEntry("Authorization", "Bearer secret-token");
        transport.last().accept();
        assertThat(client.isConnected()).as("not before the welcome").isFalse();

        transport.last().welcome(20_000, 10_000);

        assertThat(client.isConnected()).isTrue();
        assertThat(client.welcome().orElseThrow().livenessDeadline()).isEqualTo(Duration.ofSeconds(30));
        assertThat(events).containsExactly("CONNECTING", "CONNECTED");
    }

    @Test
    void answersPingWithPongAndHandsMessagesToTheirHandlers() {
        client(Backoff.withoutJitter());
        List<String> received = new ArrayList<>();
        client.registerMessageHandler("user_status_changed", m -> received.add(m.path("user_id").asText()));
        PresenceClient.Registration ping = client.registerMessageHandler("ping", m -> received.add("ping"));
        FakeTransport.Attempt link = connected(20_000, 10_000);

        link.send("{\"type\":\"ping\"}");
        link.send("{\"type\":\"user_status_changed\",\"user_id\":\"u-bob\",\"is_online\":true,\"version\":1}");
        ping.remove();
        link.send("{\"type\":\"ping\"}");
        link.send("not json at all");

        assertThat(link.sent).containsExactly("{\"type\":\"pong\"}", "{\"type\":\"pong\"}");
        assertThat(received).containsExactly("ping", "u-bob");
        assertThat(client.isConnected()).isTrue();
    }

    @Test
    void contractV2FramesReachAnAttachedThreadsState() {
        client(Backoff.withoutJitter());
        ThreadsState state = new ThreadsState();
        state.applyThreads(List.of(
                new ChatThread("t1", "one", List.of(new Member("u-me", "me", "Me", true, 0),
                        new Member("u-bob", "bob", "Bob", false, 0))),
                new ChatThread("t2", "two", List.of(new Member("u-me", "me", "Me", true, 0),
                        new Member("u-carol", "carol", "Carol", false, 0)))), List.of());
        List<ThreadsChange> changes = new ArrayList<>();
        state.addListener((snapshot, change) -> changes.add(change));
        state.attach(client);
        FakeTransport.Attempt link = connected(20_000, 10_000);

        link.send("{\"type\":\"status_batch\",\"statuses\":["
                + "{\"user_id\":\"u-bob\",\"is_online\":true,\"timestamp\":6,\"last_seen\":6000,\"version\":5},"
                + "{\"user_id\":\"u-carol\",\"is_online\":true,\"timestamp\":6,\"last_seen\":6000,\"version\":3}]}");
        link.send("{\"type\":\"thread_member_left\",\"thread_id\":\"t1\",\"user_id\":\"u-bob\"}");
        link.send("{\"type\":\"thread_member_left\",\"thread_id\":\"t2\",\"user_id\":\"u-me\"}");
        link.send("{\"type\":\"invitation_declined\",\"invitation_id\":\"i1\",\"thread_id\":\"t1\"}");

        assertThat(changes).extracting(c -> c.getClass().getSimpleName()).containsExactly("PresenceReplaced",
                "StatusChanged", "StatusChanged", "MemberLeft", "ThreadLeft", "InvitationDeclined");
        assertThat(state.snapshot().threads()).extracting(ChatThread::id).containsExactly("t1");
        assertThat(state.snapshot().thread("t1").orElseThrow().users()).extracting(Member::id).containsExactly("u-me");
    }

    @Test
    void longOutageFollowsTheScheduleOnVirtualTimeAndResetsAfterSuccess() {
        client(Backoff.withoutJitter());
        connected(20_000, 10_000);
        long lostAt = loop.nowMillis();
        transport.refuseAll = true;
        transport.last().drop();

        loop.advance(Duration.ofMinutes(10).toMillis()); // ten minutes of outage, instantly

        List<Long> times = transport.attemptTimes();
        List<Long> gaps = new ArrayList<>();
        long previous = lostAt;
        for (long t : times.subList(1, times.size())) {
            gaps.add(t - previous);
            previous = t;
        }
        assertThat(gaps.subList(0, 8)).containsExactly(1_000L, 2_000L, 4_000L, 8_000L, 16_000L, 30_000L,
                30_000L, 30_000L);
        assertThat(gaps.subList(5, gaps.size())).containsOnly(30_000L);
        // 31 s to reach the cap, then one attempt every 30 s: 5 + (600 - 31) / 30 = 23 attempts
        assertThat(gaps).hasSize(5 + (600_000 - 31_000) / 30_000);
        assertThat(client.state()).isEqualTo(ConnectionState.WAITING_TO_RECONNECT);
        assertThat(logs).contains("Reconnecting in 1s (attempt 1)", "Reconnecting in 2s (attempt 2)",
                "Reconnecting in 30s (attempt 20)", "Attempting reconnection...");

        // the network is back: the next attempt succeeds and the schedule starts again from 1 s
        transport.refuseAll = false;
        int attemptsSoFar = gaps.size();
        advanceUntilNextAttempt();
        transport.last().accept().welcome(20_000, 10_000);

        assertThat(client.isConnected()).isTrue();
        assertThat(events).contains("reconnected after " + (attemptsSoFar + 1));
        assertThat(logs).contains("Reconnection successful after " + (attemptsSoFar + 1) + " attempts");

        transport.last().drop();
        assertThat(events).endsWith("WAITING_TO_RECONNECT", "scheduled 1 in 1000");
    }

    @Test
    void reconnectNowSkipsTheRemainingWait() {
        client(Backoff.withoutJitter());
        connected(20_000, 10_000);
        transport.refuseAll = true;
        transport.last().drop();
        loop.advance(1_000 + 2_000 + 4_000); // attempts 1..3 failed; now waiting 8 s
        int before = transport.attempts.size();

        transport.refuseAll = false;
        client.reconnectNow();

        assertThat(transport.attempts).hasSize(before + 1);
        assertThat(transport.last().at).isEqualTo(loop.nowMillis());
        transport.last().accept().welcome(20_000, 10_000);
        assertThat(client.isConnected()).isTrue();
        loop.advance(20_000); // past the cancelled 8 s wait, within the 30 s liveness deadline
        assertThat(transport.attempts).as("the cancelled wait does not fire later").hasSize(before + 1);
    }

    @Test
    void silenceBeyondIntervalPlusTimeoutMeansADeadLink() {
        client(Backoff.withoutJitter());
        FakeTransport.Attempt link = connected(300, 300);

        loop.advance(500);
        link.send("{\"type\":\"ping\"}"); // anything arriving proves the link alive
        loop.advance(599);
        assertThat(client.isConnected()).isTrue();
        assertThat(link.aborted).isFalse();

        loop.advance(1);

        assertThat(link.aborted).as("a half-open link is aborted, not closed politely").isTrue();
        assertThat(client.isConnected()).isFalse();
        assertThat(client.state()).isEqualTo(ConnectionState.WAITING_TO_RECONNECT);

        link.serverCloses(1006, "late"); // what the dead link still reports is ignored
        assertThat(events.stream().filter(e -> e.startsWith("scheduled"))).hasSize(1);
        loop.advance(1_000);
        assertThat(transport.attempts).hasSize(2);
    }

    @Test
    void rfcPongAndPingFramesAlsoCountAsLife() {
        client(Backoff.withoutJitter());
        FakeTransport.Attempt link = connected(300, 300);
        for (int i = 0; i < 10; i++) {
            loop.advance(500);
            link.listener.onActivity();
        }
        assertThat(client.isConnected()).isTrue();
    }

    @Test
    void noWelcomeInTimeCountsAsAFailedAttempt() {
        client(Backoff.withoutJitter());
        client.connect();
        transport.last().accept(); // TCP and upgrade fine, then nothing (a blackholed network)

        loop.advance(Duration.ofSeconds(10).toMillis());

        assertThat(transport.last().aborted).isTrue();
        assertThat(client.state()).isEqualTo(ConnectionState.WAITING_TO_RECONNECT);
    }

    @Test
    void closeCode4401ClosesForGood() {
        client(Backoff.withoutJitter());
        connected(20_000, 10_000).serverCloses(4401, "token revoked");

        loop.advance(Duration.ofHours(1).toMillis());

        assertThat(client.state()).isEqualTo(ConnectionState.CLOSED);
        assertThat(transport.attempts).hasSize(1);
        assertThat(events).containsSubsequence("CLOSED", "closed 4401");
        assertThat(loop.time.pending()).isZero();
        client.reconnectNow();
        assertThat(transport.attempts).hasSize(1);
        assertThatThrownBy(client::connect).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void upgradeRejectedWith401ClosesForGood() {
        client(Backoff.withoutJitter());
        client.connect();
        transport.last().reject(401);

        loop.advance(Duration.ofHours(1).toMillis());

        assertThat(client.state()).isEqualTo(ConnectionState.CLOSED);
        assertThat(transport.attempts).hasSize(1);
    }

    @Test
    void serverRestart1012ReconnectsQuicklyWithJitter() {
        List<Long> firstDelays = new ArrayList<>();
        Random seeds = new Random(2026);
        for (int i = 0; i < 5; i++) {
            events.clear();
            client(Backoff.standard(0.5, new Random(seeds.nextLong())));
            connected(20_000, 10_000).serverCloses(1012, "server restarting");
            String scheduled = events.stream().filter(e -> e.startsWith("scheduled 1 in ")).findFirst().orElseThrow();
            long delay = Long.parseLong(scheduled.substring("scheduled 1 in ".length()));
            assertThat(delay).as("the quick delay after 1012, not the backoff").isBetween(100L, 1_000L);
            firstDelays.add(delay);
            loop.advance(delay);
            transport.last().accept().welcome(20_000, 10_000);
            assertThat(client.isConnected()).isTrue();
            client.close();
        }
        assertThat(firstDelays).as("different clients wait different times").doesNotHaveDuplicates();
    }

    @Test
    void withAutoReconnectDisabledALossLeavesTheClientDisconnected() {
        client(Backoff.withoutJitter());
        connected(20_000, 10_000);
        client.disableAutoReconnect();

        transport.last().drop();
        loop.advance(Duration.ofMinutes(5).toMillis());

        assertThat(client.state()).isEqualTo(ConnectionState.DISCONNECTED);
        assertThat(transport.attempts).hasSize(1);

        client.enableAutoReconnect();
        assertThat(client.state()).isEqualTo(ConnectionState.WAITING_TO_RECONNECT);
        loop.advance(1_000);
        assertThat(transport.attempts).hasSize(2);
    }

    @Test
    void disablingAutoReconnectCallsOffAPendingWait() {
        client(Backoff.withoutJitter());
        connected(20_000, 10_000).drop();
        assertThat(client.state()).isEqualTo(ConnectionState.WAITING_TO_RECONNECT);

        client.disableAutoReconnect();
        loop.advance(60_000);

        assertThat(client.state()).isEqualTo(ConnectionState.DISCONNECTED);
        assertThat(transport.attempts).hasSize(1);
        client.reconnectNow(); // the app decides by itself
        assertThat(transport.attempts).hasSize(2);
    }

    @Test
    void closeStopsEveryReconnect() {
        client(Backoff.withoutJitter());
        FakeTransport.Attempt link = connected(20_000, 10_000);

        client.close();

        assertThat(client.state()).isEqualTo(ConnectionState.CLOSED);
        assertThat(link.closedWith).isEqualTo(1000);
        link.drop();
        loop.advance(Duration.ofHours(1).toMillis());
        assertThat(transport.attempts).hasSize(1);
        assertThat(events).endsWith("CLOSED", "closed 1000");
    }

    @Test
    void closeWhileWaitingCancelsTheWait() {
        client(Backoff.withoutJitter());
        connected(20_000, 10_000).drop();

        client.close();
        loop.advance(Duration.ofHours(1).toMillis());

        assertThat(transport.attempts).hasSize(1);
        assertThat(loop.time.pending()).isZero();
    }

    @Test
    void aFirstConnectionThatFailsIsRetriedToo() {
        client(Backoff.withoutJitter());
        transport.refuseAll = true;
        client.connect();
        loop.advance(3_000);
        assertThat(transport.attempts).hasSize(3);
        transport.refuseAll = false;
        loop.advance(4_000);
        transport.last().accept().welcome(20_000, 10_000);
        assertThat(client.isConnected()).isTrue();
    }

    private void advanceUntilNextAttempt() {
        int before = transport.attempts.size();
        for (int i = 0; i < 120 && transport.attempts.size() == before; i++) {
            loop.advance(500);
        }
        assertThat(transport.attempts).hasSize(before + 1);
    }

    @Test
    void delaysAreLoggedInReadableSeconds() {
        assertThat(PresenceClient.formatDelay(2_000)).isEqualTo("2s");
        assertThat(PresenceClient.formatDelay(30_000)).isEqualTo("30s");
        assertThat(PresenceClient.formatDelay(1_740)).isEqualTo("1.7s");
    }
}
