package dev.presence.server.presence;

import dev.presence.core.EndReason;
import dev.presence.core.LocalPresenceEngine;
import dev.presence.server.metrics.ServerMetrics;
import dev.presence.server.presence.PresenceHubTest.FakeSession;
import dev.presence.server.store.ChatStore;
import dev.presence.server.store.JdbcChatStore;
import dev.presence.server.store.WebhookOutbox;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * With webhooks on, flips that a crash kept out of the outbox come back from the status journal at the next
 * start as the state the restore leaves: each journaled user offline, with a version above the crashed run's.
 */
class WebhookFlipsAfterCrashTest {

    @TempDir
    Path dataDir;

    private final JdbcChatStore real = JdbcChatStore.open("jdbc:h2:mem:flips" + UUID.randomUUID()
            + ";DB_CLOSE_DELAY=-1", null);
    /** The real store, except that saving always fails: nothing reaches the outbox before the crash. */
    private final ChatStore neverSaves = (ChatStore) Proxy.newProxyInstance(ChatStore.class.getClassLoader(),
            new Class<?>[] {ChatStore.class}, (proxy, method, args) -> {
                if (method.getName().equals("saveStatuses")) {
                    throw new IllegalStateException("the disk is slow today");
                }
                try {
                    return method.invoke(real, args);
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
            });
    private final List<PresenceHub> hubs = new ArrayList<>();
    private final List<HubThread> threads = new ArrayList<>();

    @AfterEach
    void stop() {
        hubs.forEach(PresenceHub::close);
        threads.forEach(HubThread::close);
        real.close();
    }

    private PresenceHub hub(StatusStore store, StatusJournal journal) {
        HubThread thread = new HubThread();
        threads.add(thread);
        HubLoop loop = thread.loop();
        PresenceHub hub = new PresenceHub(loop, sink -> new LocalPresenceEngine(loop.clock(), loop.scheduler(),
                60_000, sink), store, journal, Executors.newSingleThreadExecutor(), new ServerMetrics(),
                new PresenceHub.Heartbeat(20_000, 10_000), local -> local, () -> { });
        hubs.add(hub);
        hub.joined("t1", "u_ann");
        hub.joined("t1", "u_bob");
        return hub;
    }

    @Test
    void theLatestStatusOfEachUserAndTheRestoresOfflineFlipReachTheOutbox() throws Exception {
        StatusJournal journal = StatusJournal.open(dataDir);
        PresenceHub first = hub(neverSaves, journal);
        FakeSession ann = new FakeSession("a1", "u_ann", "ta");
        FakeSession bob = new FakeSession("b1", "u_bob", "tb");
        first.open(ann, "ann");
        first.open(bob, "bob");
        first.end(bob, EndReason.CLOSED, System.currentTimeMillis());
        String offline = await().atMost(Duration.ofSeconds(5)).until(() -> ann.frames.stream()
                .filter(f -> f.contains("\"is_online\":false")).findFirst().orElse(null), f -> f != null);
        long bobOfflineVersion = new com.fasterxml.jackson.databind.ObjectMapper().readTree(offline)
                .path("version").asLong();

        journal.close(); // the crash: no flip was saved, the journal holds each user's latest status

        hub(real, StatusJournal.open(dataDir));
        WebhookOutbox outbox = real.webhooks();
        await().atMost(Duration.ofSeconds(5)).until(() -> outbox.backlog(100).depth() == 2);
        List<WebhookOutbox.Change> heads = outbox.readyHeads(System.currentTimeMillis(), 10);
        // both are offline after the restart, with versions above those of the crashed run
        assertThat(heads).extracting(WebhookOutbox.Change::userId, WebhookOutbox.Change::online)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("u_ann", false),
                        org.assertj.core.groups.Tuple.tuple("u_bob", false));
        assertThat(heads).allSatisfy(c -> assertThat(c.version()).isGreaterThan(bobOfflineVersion));
    }
}
