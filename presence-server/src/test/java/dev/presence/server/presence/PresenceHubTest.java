package dev.presence.server.presence;

import dev.presence.core.EndReason;
import dev.presence.server.metrics.ServerMetrics;
import dev.presence.server.store.JdbcChatStore;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.Promise;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The hub's own rules, with fake sessions: races between token checks, logouts and shutdown. */
class PresenceHubTest {

    private final JdbcChatStore store = JdbcChatStore.open("jdbc:h2:mem:hub" + UUID.randomUUID()
            + ";DB_CLOSE_DELAY=-1", null);
    private final PresenceHub hub = new PresenceHub(store, journal(), Executors.newSingleThreadExecutor(),
            new ServerMetrics(), 60_000, 20_000, 10_000);

    static StatusJournal journal() {
        try {
            Path dir = Files.createTempDirectory("presence-hub-test");
            dir.toFile().deleteOnExit();
            dir.resolve(StatusJournal.FILE_NAME).toFile().deleteOnExit();
            return StatusJournal.open(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @AfterEach
    void stop() {
        hub.close();
        store.close();
    }

    /** A session that records what it is sent and how it is closed. */
    static final class FakeSession implements LiveSession {
        final String id;
        final String user;
        final String token;
        final List<String> frames = new CopyOnWriteArrayList<>();
        volatile Integer closedWith;
        final Promise<Void> closed = ImmediateEventExecutor.INSTANCE.newPromise();

        FakeSession(String id, String user, String token) {
            this.id = id;
            this.user = user;
            this.token = token;
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
    }

    @Test
    void aSessionWhoseTokenWasRevokedWhileItWasCheckedIsRefusedWhenItOpens() {
        FakeSession late = new FakeSession("s1", "u1", "token-hash");

        hub.closeSessionsOfToken("token-hash"); // the logout wins the race against the check
        hub.open(late, "ann");

        await().atMost(Duration.ofSeconds(5)).until(() -> late.closedWith != null);
        assertThat(late.closedWith).isEqualTo(4401);
        assertThat(late.frames).isEmpty(); // no welcome
        assertThat(hub.call(e -> e.tracker().isOnline("u1")).join()).isFalse();
    }

    @Test
    void logoutClosesTheTokensSessionsOnly() {
        FakeSession phone = new FakeSession("s1", "u1", "phone-token");
        FakeSession laptop = new FakeSession("s2", "u1", "laptop-token");
        hub.open(phone, "ann");
        hub.open(laptop, "ann");

        hub.closeSessionsOfToken("phone-token");

        await().atMost(Duration.ofSeconds(5)).until(() -> phone.closedWith != null);
        assertThat(phone.closedWith).isEqualTo(4401);
        assertThat(laptop.closedWith).isNull();
        assertThat(laptop.frames).first().asString().contains("\"type\":\"welcome\"");
    }

    @Test
    void onceShuttingDownNewSessionsAreToldToComeBack() {
        FakeSession early = new FakeSession("s1", "u1", "t1");
        hub.open(early, "ann");
        hub.closeAll(1012, "server restarting").join();
        FakeSession late = new FakeSession("s2", "u2", "t2");

        hub.open(late, "bob");

        await().atMost(Duration.ofSeconds(5)).until(() -> late.closedWith != null);
        assertThat(early.closedWith).isEqualTo(1012);
        assertThat(late.closedWith).isEqualTo(1012);
    }

    @Test
    void aLostSessionStillInItsGraceAtShutdownIsSavedOffline() {
        var user = store.createUser("ann", "h", "Ann");
        FakeSession real = new FakeSession("s9", user.id(), "t9");
        hub.open(real, "ann");
        hub.end(real, EndReason.LOST, System.currentTimeMillis()); // grace of a minute, far longer than this test
        long onlineVersion = hub.call(e -> e.tracker().status(user.id()).version()).join();
        assertThat(hub.call(e -> e.tracker().isOnline(user.id())).join()).isTrue();

        hub.close();

        long[] kept = new long[1];
        store.forEachStatus(st -> {
            if (st.userId().equals(user.id())) {
                kept[0] = st.version();
            }
        });
        assertThat(kept[0]).as("the offline flip's version was saved").isGreaterThan(onlineVersion);
    }
}
