package dev.presence.server.presence;

import dev.presence.core.EndReason;
import dev.presence.server.presence.PresenceHubTest.FakeSession;
import dev.presence.server.store.WebhookOutbox;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * With webhooks on, flips that a crash kept out of the outbox come back from the status journal at the next
 * start as the state the restore leaves: each journaled user offline, with a version above the crashed run's.
 */
class WebhookFlipsAfterCrashTest {

    @TempDir
    Path dataDir;

    private final CrashingHubs hubs = new CrashingHubs();

    @AfterEach
    void stop() {
        hubs.close();
    }

    private static final String LONG_ID = CrashingHubs.LONG_ID;

    /** A hub that keeps flips for the webhooks. */
    private PresenceHub hub(StatusStore store, StatusJournal journal) {
        return hubs.hub(store, journal, () -> { });
    }

    @Test
    void theLatestStatusOfEachUserAndTheRestoresOfflineFlipReachTheOutbox() throws Exception {
        StatusJournal journal = StatusJournal.open(dataDir);
        PresenceHub first = hub(hubs.neverSaves, journal);
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

        hub(hubs.real, StatusJournal.open(dataDir));
        WebhookOutbox outbox = hubs.real.webhooks();
        await().atMost(Duration.ofSeconds(5)).until(() -> outbox.backlog(100).depth() == 2);
        List<WebhookOutbox.Change> heads = outbox.readyHeads(System.currentTimeMillis(), 10);
        // both are offline after the restart, with versions above those of the crashed run
        assertThat(heads).extracting(WebhookOutbox.Change::userId, WebhookOutbox.Change::online)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("u_ann", false),
                        org.assertj.core.groups.Tuple.tuple("u_bob", false));
        assertThat(heads).allSatisfy(c -> assertThat(c.version()).isGreaterThan(bobOfflineVersion));
    }

    @Test
    void aLongIdUserOnlineAtTheCrashHasItsOfflineFlipQueuedAtTheRestart() throws Exception {
        assertThat(LONG_ID).hasSize(128);
        StatusJournal journal = StatusJournal.open(dataDir);
        PresenceHub first = hub(hubs.neverSaves, journal);
        FakeSession ann = new FakeSession("a1", "u_ann", "ta");
        first.open(ann, "ann");
        first.open(new FakeSession("l1", LONG_ID, "tl"), "long");
        String online = await().atMost(Duration.ofSeconds(5)).until(() -> ann.frames.stream()
                .filter(f -> f.contains("\"user_id\":\"" + LONG_ID + "\"") && f.contains("\"is_online\":true"))
                .findFirst().orElse(null), f -> f != null);
        long onlineVersion = new com.fasterxml.jackson.databind.ObjectMapper().readTree(online).path("version")
                .asLong();

        journal.close(); // the crash: the app was told the long-id user is online, and nothing else

        hub(hubs.real, StatusJournal.open(dataDir));
        WebhookOutbox outbox = hubs.real.webhooks();
        await().atMost(Duration.ofSeconds(5)).until(() -> outbox.backlog(100).depth() == 2);
        List<WebhookOutbox.Change> heads = outbox.readyHeads(System.currentTimeMillis(), 10);
        assertThat(heads).extracting(WebhookOutbox.Change::userId, WebhookOutbox.Change::online)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("u_ann", false),
                        org.assertj.core.groups.Tuple.tuple(LONG_ID, false));
        assertThat(heads).filteredOn(c -> c.userId().equals(LONG_ID)).singleElement()
                .satisfies(c -> assertThat(c.version()).isGreaterThan(onlineVersion));
    }
}
