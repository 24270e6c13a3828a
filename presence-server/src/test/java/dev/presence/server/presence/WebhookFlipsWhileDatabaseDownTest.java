package dev.presence.server.presence;

import dev.presence.core.EndReason;
import dev.presence.core.LocalPresenceEngine;
import dev.presence.core.UserStatus;
import dev.presence.core.VirtualTime;
import dev.presence.server.metrics.ServerMetrics;
import dev.presence.server.presence.PresenceHubTest.FakeSession;
import dev.presence.server.store.InMemoryStatusStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A hub with webhooks on, its database down for a long while a user keeps flipping: the flips waiting to be saved
 * stay within the per-user bound, the merged ones are counted in {@code presence_webhook_flips_merged_total}, and
 * once the database is back the outbox gets the user's true latest state. Virtual time; the write-behind's worker
 * is run by hand.
 */
class WebhookFlipsWhileDatabaseDownTest {

    private static final int ROUNDS = 2000;

    @TempDir
    Path dataDir;

    private final VirtualTime time = new VirtualTime(1_700_000_000_000L);
    private final Queue<Runnable> workers = new ArrayDeque<>();
    private final InMemoryStatusStore store = new InMemoryStatusStore().addMembership("t1", "u1")
            .addMembership("t1", "u2");
    private final ServerMetrics metrics = new ServerMetrics();
    private PresenceHub hub;

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

    @Test
    void flipsWaitingForTheDatabaseStayBoundedAndTheLatestStateReachesTheOutbox() {
        hub = new PresenceHub(new HubLoop(time, time, Runnable::run),
                sink -> new LocalPresenceEngine(time, time, 60_000, sink), store, PresenceHubTest.journal(dataDir),
                workers::add, metrics, new PresenceHub.Heartbeat(20_000, 10_000), local -> local, () -> { });
        FakeSession watcher = new FakeSession("w", "u2", "tw");
        hub.open(watcher, "bob");
        store.failNextSaves(Integer.MAX_VALUE);

        for (int round = 0; round < ROUNDS; round++) {
            FakeSession ann = new FakeSession("a" + round, "u1", "ta");
            hub.open(ann, "ann");
            time.advance(100);
            hub.end(ann, EndReason.CLOSED, time.millis());
            time.advance(150);
            runWorkers(); // a write-behind interval now and then: its save fails and the batch comes back
        }
        assertThat(watcher.statuses()).hasSize(2 * ROUNDS);
        assertThat(store.failedSaves()).isGreaterThan(ROUNDS / 5);
        double merged = merged();
        // all of ann's flips but the few a user may have waiting (u2's own online flip waits too)
        assertThat(merged).isGreaterThanOrEqualTo(2 * ROUNDS - StatusWriteBehind.MAX_FLIPS_PER_USER);

        store.failNextSaves(0); // the database is back
        time.advance(PresenceHub.STATUS_FLUSH_MILLIS);
        runWorkers();

        List<UserStatus> saved = store.flips().stream().filter(f -> f.userId().equals("u1")).toList();
        assertThat(saved).hasSizeBetween(1, StatusWriteBehind.MAX_FLIPS_PER_USER);
        UserStatus last = saved.get(saved.size() - 1);
        String shownLast = watcher.statuses().get(2 * ROUNDS - 1).toString();
        assertThat(last.online()).isFalse();
        assertThat(shownLast).contains("\"version\":" + last.version());
        assertThat(merged + saved.size()).isEqualTo(2 * ROUNDS);
    }

    private double merged() {
        for (String line : metrics.scrape().split("\n")) {
            if (line.startsWith("presence_webhook_flips_merged_total ")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        throw new AssertionError("presence_webhook_flips_merged_total not in the metrics");
    }
}
