package dev.presence.server.store;

import dev.presence.core.UserStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.InstantSource;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The webhook outbox on a JDBC database: flips come in with the statuses, once per (user, version), and go out
 * one user head at a time, oldest first, with retries kept and one lease for the whole database.
 */
abstract class WebhookOutboxContract {

    @TempDir
    Path dataDir;

    private TestDatabase database;
    private JdbcChatStore store;
    private WebhookOutbox outbox;

    protected abstract TestDatabase database(Path dataDir);

    @BeforeEach
    void open() {
        database = database(dataDir);
        store = database.open(InstantSource.system(), IdGenerator.random());
        outbox = store.webhooks();
    }

    @AfterEach
    void close() throws Exception {
        try {
            store.close();
        } finally {
            database.close();
        }
    }

    private static UserStatus flip(String user, boolean online, long version) {
        return new UserStatus(user, online, version * 10, version);
    }

    private List<String> heads(long now) {
        return outbox.readyHeads(now, 100).stream().map(WebhookOutbox.Change::id).toList();
    }

    @Test
    void theSameChangeAddedTwiceIsOneRow() {
        store.saveStatuses(List.of(), List.of(flip("ann", true, 1), flip("ann", false, 2)));
        store.saveStatuses(List.of(), List.of(flip("ann", true, 1), flip("ann", false, 2))); // another node, a replay
        assertThat(outbox.backlog(1000).depth()).isEqualTo(2);
        WebhookOutbox.Change head = outbox.readyHeads(System.currentTimeMillis(), 10).get(0);
        assertThat(head).extracting(WebhookOutbox.Change::id, WebhookOutbox.Change::online,
                WebhookOutbox.Change::lastSeen).containsExactly("ann:1", true, 10L);
    }

    @Test
    void eachUserShowsOnlyTheirOldestChangeAndTheNextAfterDelivery() {
        store.saveStatuses(List.of(), List.of(flip("ann", true, 5), flip("bob", true, 3), flip("ann", false, 7)));
        long now = System.currentTimeMillis();
        assertThat(heads(now)).containsExactlyInAnyOrder("ann:5", "bob:3");
        outbox.delivered("ann", 5);
        assertThat(heads(now)).containsExactlyInAnyOrder("ann:7", "bob:3");
        outbox.delivered("ann", 7);
        outbox.delivered("bob", 3);
        assertThat(heads(now)).isEmpty();
        assertThat(outbox.backlog(1000)).isEqualTo(new WebhookOutbox.Backlog(0, 0));
    }

    @Test
    void aDeliveredChangeReplayedAfterACrashIsNotAddedAgain() {
        store.saveStatuses(List.of(), List.of(flip("ann", true, 5)));
        outbox.delivered("ann", 5);
        store.saveStatuses(List.of(), List.of(flip("ann", true, 5), flip("ann", false, 4), flip("ann", false, 6)));
        assertThat(heads(System.currentTimeMillis())).containsExactly("ann:6");
    }

    @Test
    void aUserWaitingForARetryHoldsBackNobodyElseNorTheirOwnNewerChanges() {
        store.saveStatuses(List.of(), List.of(flip("ann", true, 1), flip("ann", false, 2), flip("bob", true, 1)));
        long now = System.currentTimeMillis();
        outbox.failed("ann", 1, now + 60_000);
        assertThat(heads(now)).containsExactly("bob:1");
        List<WebhookOutbox.Change> later = outbox.readyHeads(now + 60_000, 10);
        assertThat(later).extracting(WebhookOutbox.Change::id).containsExactlyInAnyOrder("ann:1", "bob:1");
        assertThat(later).filteredOn(c -> c.userId().equals("ann")).singleElement()
                .extracting(WebhookOutbox.Change::failures).isEqualTo(1);
        outbox.delivered("ann", 1); // a success clears the retry schedule
        assertThat(outbox.readyHeads(now, 10)).filteredOn(c -> c.userId().equals("ann")).singleElement()
                .extracting(WebhookOutbox.Change::id, WebhookOutbox.Change::failures).containsExactly("ann:2", 0);
    }

    @Test
    void oldestChangesComeFirstAndTheLimitHolds() {
        store.saveStatuses(List.of(), List.of(flip("u1", true, 1)));
        store.saveStatuses(List.of(), List.of(flip("u2", true, 1), flip("u3", true, 1)));
        assertThat(outbox.readyHeads(System.currentTimeMillis(), 1)).extracting(WebhookOutbox.Change::id)
                .containsExactly("u1:1");
        assertThat(outbox.backlog(2).depth()).isEqualTo(2);
        assertThat(outbox.backlog(10).oldestCreatedAt()).isPositive();
    }

    @Test
    void oneLeaseHolderAtATimeUntilItLapsesOrIsGivenUp() {
        assertThat(outbox.acquireLease("a", 1000, 2000)).isTrue();
        assertThat(outbox.acquireLease("b", 1500, 2500)).isFalse();
        assertThat(outbox.acquireLease("a", 1800, 2800)).isTrue(); // renewed
        assertThat(outbox.acquireLease("b", 2500, 3500)).isFalse();
        assertThat(outbox.acquireLease("b", 2900, 3900)).isTrue(); // lapsed
        assertThat(outbox.acquireLease("a", 3000, 4000)).isFalse();
        outbox.releaseLease("a"); // not a's any more: nothing happens
        assertThat(outbox.acquireLease("a", 3100, 4100)).isFalse();
        outbox.releaseLease("b");
        assertThat(outbox.acquireLease("a", 3200, 4200)).isTrue();
    }

    @Test
    void flipsAreSavedWithTheStatusesInOneTransaction() {
        String ann = store.accounts().createUser("ann", "hash", "Ann").id();
        store.saveStatuses(List.of(new UserStatus(ann, true, 500, 9)), List.of(new UserStatus(ann, true, 500, 9)));
        assertThat(heads(System.currentTimeMillis())).containsExactly(ann + ":9");
        List<UserStatus> kept = new java.util.ArrayList<>();
        store.forEachStatus(kept::add);
        assertThat(kept).contains(new UserStatus(ann, false, 500, 9));
    }
}
