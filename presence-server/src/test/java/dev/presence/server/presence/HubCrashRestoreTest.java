package dev.presence.server.presence;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.presence.core.EndReason;
import dev.presence.server.presence.PresenceHubTest.FakeSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A hub that dies without closing (a crash) before its write-behind saved anything: the next hub over the same
 * data shows watchers a {@code last_seen} at least as new as what they were shown before.
 */
class HubCrashRestoreTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dataDir;

    private final CrashingHubs hubs = new CrashingHubs();

    @AfterEach
    void stop() {
        hubs.close();
    }

    private static final String LONG_ID = CrashingHubs.LONG_ID;

    private PresenceHub hub(StatusJournal journal) {
        return hubs.hub(hubs.neverSaves, journal, null);
    }

    @Test
    void aLastSeenDeliveredBeforeACrashComesBackThoughTheStoreNeverSavedIt() throws Exception {
        StatusJournal journal = StatusJournal.open(dataDir);
        PresenceHub first = hub(journal);
        FakeSession ann = new FakeSession("a1", "u_ann", "ta");
        FakeSession bob = new FakeSession("b1", "u_bob", "tb");
        first.open(ann, "ann");
        first.open(bob, "bob");
        first.end(bob, EndReason.CLOSED, System.currentTimeMillis());
        JsonNode offline = await().atMost(Duration.ofSeconds(5)).until(() -> status(ann, false),
                s -> s != null);

        journal.close(); // the crash: the first hub is gone, its file stays as it was written

        PresenceHub second = hub(StatusJournal.open(dataDir));
        FakeSession annAgain = new FakeSession("a2", "u_ann", "ta");
        second.open(annAgain, "ann");
        await().atMost(Duration.ofSeconds(5)).until(() -> !annAgain.frames.isEmpty());
        JsonNode bobSeen = seen(annAgain, "u_bob");
        assertThat(bobSeen.path("user_id").asText()).isEqualTo("u_bob");
        assertThat(bobSeen.path("last_seen").asLong()).isGreaterThanOrEqualTo(offline.path("last_seen").asLong())
                .isPositive();
        assertThat(bobSeen.path("version").asLong()).isGreaterThanOrEqualTo(offline.path("version").asLong());
    }

    @Test
    void aLongIdUserOnlineAtTheCrashComesBackOfflineWithANewerVersion() throws Exception {
        assertThat(LONG_ID).hasSize(128);
        StatusJournal journal = StatusJournal.open(dataDir);
        PresenceHub first = hub(journal);
        FakeSession ann = new FakeSession("a1", "u_ann", "ta");
        first.open(ann, "ann");
        first.open(new FakeSession("l1", LONG_ID, "tl"), "long");
        JsonNode online = await().atMost(Duration.ofSeconds(5)).until(() -> status(ann, LONG_ID, true),
                s -> s != null);

        journal.close(); // the crash, the long-id user still connected

        PresenceHub second = hub(StatusJournal.open(dataDir));
        FakeSession annAgain = new FakeSession("a2", "u_ann", "ta");
        second.open(annAgain, "ann");
        await().atMost(Duration.ofSeconds(5)).until(() -> !annAgain.frames.isEmpty());
        JsonNode longSeen = seen(annAgain, LONG_ID);
        assertThat(longSeen.path("is_online").asBoolean()).isFalse();
        assertThat(longSeen.path("last_seen").asLong()).isGreaterThanOrEqualTo(online.path("last_seen").asLong())
                .isPositive();
        assertThat(longSeen.path("version").asLong()).isGreaterThan(online.path("version").asLong());
    }

    /** The user's entry in the session's first frame, the welcome snapshot. */
    private static JsonNode seen(FakeSession session, String userId) throws Exception {
        for (JsonNode entry : JSON.readTree(session.frames.get(0)).path("presence")) {
            if (entry.path("user_id").asText().equals(userId)) {
                return entry;
            }
        }
        throw new AssertionError(userId + " is not in " + session.frames.get(0));
    }

    private static JsonNode status(FakeSession session, boolean online) throws Exception {
        return status(session, "u_bob", online);
    }

    private static JsonNode status(FakeSession session, String userId, boolean online) throws Exception {
        for (String frame : session.frames) {
            JsonNode json = JSON.readTree(frame);
            if (json.path("type").asText().equals("user_status_changed")
                    && json.path("user_id").asText().equals(userId) && json.path("is_online").asBoolean() == online) {
                return json;
            }
        }
        return null;
    }
}
