package dev.presence.server.presence;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.presence.core.EndReason;
import dev.presence.core.LocalPresenceEngine;
import dev.presence.core.UserStatus;
import dev.presence.core.VirtualTime;
import dev.presence.server.metrics.ServerMetrics;
import dev.presence.server.protocol.OutboundFrame;
import dev.presence.server.store.InMemoryStatusStore;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.Promise;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The hub's own rules on virtual time, with fake sessions and a fake store: races between token checks,
 * logouts and shutdown; graces; the write-behind's batches and retries; how long a revocation is remembered.
 * The hub's thread is the test's thread, and workers run only when the test says so.
 */
class PresenceHubTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long GRACE = 60_000;

    @TempDir
    Path dataDir;

    private final VirtualTime time = new VirtualTime(1_700_000_000_000L);
    private final Queue<Runnable> workers = new ArrayDeque<>();
    private final InMemoryStatusStore store = new InMemoryStatusStore().addMembership("t1", "u1")
            .addMembership("t1", "u2");
    private StatusJournal journal;
    private PresenceHub hub;

    private PresenceHub hub() {
        if (hub == null) {
            journal = journal(dataDir);
            hub = new PresenceHub(new HubLoop(time, time, Runnable::run),
                    sink -> new LocalPresenceEngine(time, time, GRACE, sink), store, journal, workers::add,
                    new ServerMetrics(), new PresenceHub.Heartbeat(20_000, 10_000), local -> local);
        }
        return hub;
    }

    static StatusJournal journal(Path dir) {
        try {
            return StatusJournal.open(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @AfterEach
    void stop() {
        runWorkers();
        if (hub != null) {
            hub.close();
        }
    }

    private void runWorkers() {
        for (Runnable task; (task = workers.poll()) != null; ) {
            task.run();
        }
    }

    /** A session that records what it is sent and how it is closed. */
    static final class FakeSession implements LiveSession {
        final String id;
        final String user;
        final String token;
        final List<String> frames = new java.util.concurrent.CopyOnWriteArrayList<>();
        volatile Integer closedWith;
        final Promise<Void> closed = ImmediateEventExecutor.INSTANCE.newPromise();
        long issuedAt = LOGIN_TOKEN;

        FakeSession(String id, String user, String token) {
            this.id = id;
            this.user = user;
            this.token = token;
        }

        /** Opened with the app's JWT issued then. */
        FakeSession issuedAt(long at) {
            issuedAt = at;
            return this;
        }

        @Override
        public long issuedAt() {
            return issuedAt;
        }

        @Override
        public String sessionId() {
            return id;
        }

        @Override
        public String userId() {
            return user;
        }

        @Override
        public String tokenHash() {
            return token;
        }

        @Override
        public EventExecutor executor() {
            return ImmediateEventExecutor.INSTANCE;
        }

        @Override
        public void send(ByteBuf json) {
            frames.add(json.toString(StandardCharsets.UTF_8));
        }

        @Override
        public void send(OutboundFrame event) {
            frames.add(event.json());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close(int code, String reason) {
            closedWith = code;
            closed.trySuccess(null);
        }

        @Override
        public Future<Void> closeFuture() {
            return closed;
        }

        List<JsonNode> statuses() {
            List<JsonNode> statuses = new ArrayList<>();
            for (String frame : frames) {
                try {
                    JsonNode json = JSON.readTree(frame);
                    if (json.path("type").asText().equals("user_status_changed")) {
                        statuses.add(json);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            return statuses;
        }
    }

    @Test
    void aSessionWhoseTokenWasRevokedWhileItWasCheckedIsRefusedWhenItOpens() {
        FakeSession late = new FakeSession("s1", "u1", "token-hash");

        hub().closeSessionsOfToken("token-hash"); // the logout wins the race against the check
        hub.open(late, "ann");

        assertThat(late.closedWith).isEqualTo(4401);
        assertThat(late.frames).isEmpty(); // no welcome
        assertThat(hub.statuses(List.of("u1")).join().get("u1").online()).isFalse();
    }

    @Test
    void aRevocationIsRememberedForFiveMinutesThenLeftToTheStore() {
        hub().closeSessionsOfUser("u1", Long.MIN_VALUE, List.of("old-token"), "logged out everywhere");

        time.advance(RevokedTokens.MEMORY.toMillis() - 1);
        FakeSession stillRefused = new FakeSession("s1", "u1", "old-token");
        hub.open(stillRefused, "ann");
        assertThat(stillRefused.closedWith).isEqualTo(4401);

        time.advance(1);
        FakeSession afterwards = new FakeSession("s2", "u1", "old-token"); // a check that passed is not refused now
        hub.open(afterwards, "ann");
        assertThat(afterwards.closedWith).isNull();
        assertThat(afterwards.frames).first().asString().contains("\"type\":\"welcome\"");
    }

    @Test
    void aRevocationByIssueTimeClosesOlderJwtSessionsAndLoginTokenSessionsAndRefusesLateOlderOnes() {
        FakeSession old = new FakeSession("s1", "u1", "jwt-old").issuedAt(1_000);
        FakeSession fresh = new FakeSession("s2", "u1", "jwt-new").issuedAt(3_000);
        FakeSession login = new FakeSession("s3", "u1", "login-token");
        FakeSession other = new FakeSession("s4", "u2", "jwt-other").issuedAt(1_000);
        hub().open(old, "ann");
        hub.open(fresh, "ann");
        hub.open(login, "ann");
        hub.open(other, "bob");

        hub.closeSessionsOfUser("u1", 1_999, List.of("login-token"), "sessions revoked");

        assertThat(old.closedWith).isEqualTo(4401);
        assertThat(login.closedWith).isEqualTo(4401);
        assertThat(fresh.closedWith).isNull();
        assertThat(other.closedWith).isNull();
        FakeSession lateOld = new FakeSession("s5", "u1", "jwt-old-2").issuedAt(1_999);
        FakeSession lateUndated = new FakeSession("s6", "u1", "jwt-undated").issuedAt(Long.MIN_VALUE);
        FakeSession lateNew = new FakeSession("s7", "u1", "jwt-new-2").issuedAt(2_000);
        FakeSession newLogin = new FakeSession("s8", "u1", "login-token-2");
        hub.open(lateOld, "ann");
        hub.open(lateUndated, "ann");
        hub.open(lateNew, "ann");
        hub.open(newLogin, "ann");
        assertThat(lateOld.closedWith).isEqualTo(4401);
        assertThat(lateUndated.closedWith).isEqualTo(4401);
        assertThat(lateNew.closedWith).isNull();
        assertThat(newLogin.closedWith).as("a new login is not refused by a time").isNull();
    }

    @Test
    void logoutClosesTheTokensSessionsOnly() {
        FakeSession phone = new FakeSession("s1", "u1", "phone-token");
        FakeSession laptop = new FakeSession("s2", "u1", "laptop-token");
        hub().open(phone, "ann");
        hub.open(laptop, "ann");

        hub.closeSessionsOfToken("phone-token");

        assertThat(phone.closedWith).isEqualTo(4401);
        assertThat(laptop.closedWith).isNull();
        assertThat(laptop.frames).first().asString().contains("\"type\":\"welcome\"");
    }

    @Test
    void onceShuttingDownNewSessionsAreToldToComeBack() {
        FakeSession early = new FakeSession("s1", "u1", "t1");
        hub().open(early, "ann");
        hub.closeAll(1012, "server restarting", 0).join();
        FakeSession late = new FakeSession("s2", "u2", "t2");

        hub.open(late, "bob");

        assertThat(early.closedWith).isEqualTo(1012);
        assertThat(late.closedWith).isEqualTo(1012);
    }

    @Test
    void aDrainSpreadsTheClosesOverItsLength() {
        List<FakeSession> sessions = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            FakeSession session = new FakeSession("s" + i, "u" + i, "t" + i);
            sessions.add(session);
            hub().open(session, "user" + i);
        }

        var done = hub.closeAll(1012, "server restarting", 1_000);
        long closedAtOnce = sessions.stream().filter(s -> s.closedWith != null).count();
        time.advance(500);
        long closedHalfway = sessions.stream().filter(s -> s.closedWith != null).count();
        time.advance(500);

        assertThat(closedAtOnce).isBetween(1L, 2L);
        assertThat(closedHalfway).isBetween(18L, 22L);
        assertThat(sessions).allSatisfy(s -> assertThat(s.closedWith).isEqualTo(1012));
        assertThat(done).isDone();
    }

    @Test
    void aLostSessionGoesOfflineForItsWatchersWhenTheGraceRunsOut() {
        FakeSession ann = new FakeSession("a1", "u1", "ta");
        FakeSession bob = new FakeSession("b1", "u2", "tb");
        hub().open(ann, "ann");
        hub.open(bob, "bob");
        time.advance(5_000);

        hub.end(bob, EndReason.LOST, time.millis() - 2_000);
        time.advance(GRACE - 1);
        assertThat(ann.statuses()).extracting(s -> s.path("is_online").asBoolean()).containsExactly(true);

        time.advance(1);
        assertThat(ann.statuses()).extracting(s -> s.path("is_online").asBoolean()).containsExactly(true, false);
        assertThat(ann.statuses().get(1).path("last_seen").asLong()).isEqualTo(1_700_000_000_000L + 3_000);
    }

    @Test
    void statusesAreWrittenBehindInOneBatchASecondWithEachUsersLatest() {
        FakeSession ann = new FakeSession("a1", "u1", "ta");
        FakeSession bob = new FakeSession("b1", "u2", "tb");
        hub().open(ann, "ann");
        hub.open(bob, "bob");
        hub.end(bob, EndReason.CLOSED, time.millis());
        assertThat(workers).isEmpty();

        time.advance(PresenceHub.STATUS_FLUSH_MILLIS);
        runWorkers();

        assertThat(store.savedBatches()).singleElement().satisfies(batch -> {
            assertThat(batch).extracting(UserStatus::userId).containsExactlyInAnyOrder("u1", "u2");
            assertThat(batch).filteredOn(s -> s.userId().equals("u2")).singleElement()
                    .satisfies(s -> assertThat(s.online()).isFalse());
        });
        assertThat(journal.size()).as("bob is offline and saved: his journal slot is free").isEqualTo(1);
    }

    @Test
    void aBatchThatFailsIsRetriedWithTheNextAndNewerStatusesWin() {
        store.failNextSaves(1);
        FakeSession ann = new FakeSession("a1", "u1", "ta");
        FakeSession bob = new FakeSession("b1", "u2", "tb");
        hub().open(ann, "ann");
        hub.open(bob, "bob");
        time.advance(PresenceHub.STATUS_FLUSH_MILLIS);
        runWorkers(); // fails
        hub.end(bob, EndReason.CLOSED, time.millis()); // ann does not change again: only the retry brings her

        time.advance(PresenceHub.STATUS_FLUSH_MILLIS);
        runWorkers();

        assertThat(store.failedSaves()).isEqualTo(1);
        assertThat(store.savedBatches()).singleElement().satisfies(batch -> {
            assertThat(batch).extracting(UserStatus::userId).containsExactlyInAnyOrder("u1", "u2");
            assertThat(batch).filteredOn(s -> s.userId().equals("u2")).singleElement()
                    .satisfies(s -> assertThat(s.online()).isFalse());
        });
    }

    @Test
    void aSlowStoreGetsOneBatchAtATime() {
        FakeSession bob = new FakeSession("b1", "u2", "tb");
        hub().open(bob, "bob");
        time.advance(PresenceHub.STATUS_FLUSH_MILLIS);
        hub.end(bob, EndReason.CLOSED, time.millis());
        FakeSession ann = new FakeSession("a1", "u1", "ta");
        hub.open(ann, "ann");

        time.advance(5 * PresenceHub.STATUS_FLUSH_MILLIS); // the first batch is still being written

        assertThat(workers).hasSize(1);
        runWorkers();
        time.advance(PresenceHub.STATUS_FLUSH_MILLIS);
        assertThat(workers).hasSize(1);
        runWorkers();
        assertThat(store.savedBatches()).hasSize(2);
        assertThat(store.savedBatches().get(1)).extracting(UserStatus::userId).containsExactlyInAnyOrder("u1", "u2");
    }

    @Test
    void aLostSessionStillInItsGraceAtShutdownIsSavedOffline() {
        FakeSession real = new FakeSession("s9", "u1", "t9");
        hub().open(real, "ann");
        hub.end(real, EndReason.LOST, time.millis()); // grace of a minute, far longer than this test
        UserStatus online = hub.statuses(List.of("u1")).join().get("u1");
        assertThat(online.online()).isTrue();

        hub.close();

        assertThat(store.savedBatches()).last().satisfies(batch -> assertThat(batch).singleElement()
                .satisfies(s -> assertThat(s.online()).isFalse()));
        assertThat(store.status("u1").orElseThrow().version()).as("the offline flip's version was saved")
                .isGreaterThan(online.version());
    }

    @Test
    void visibleStatusesLeaveOutWhoeverSharesNoThreadWithTheViewer() {
        store.addMembership("t2", "u3");
        FakeSession bob = new FakeSession("b1", "u2", "tb");
        hub().open(bob, "bob");

        assertThat(hub.visibleStatuses("u1", List.of("u2", "u3", "nobody")).join())
                .extracting(UserStatus::userId).containsExactly("u2");
    }
}
