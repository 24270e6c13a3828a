package dev.presence.server.presence;

import dev.presence.core.UserStatus;
import dev.presence.server.store.InMemoryStatusStore;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * While the database is down, the flips waiting for the webhook outbox stay within a bound per user, the oldest
 * merged into the later ones in whole online/offline pairs and counted; once it is back, each user's latest
 * state is saved exactly. Virtual time: the store and the hub's loop are the calling thread, each {@code flush}
 * is one write-behind interval.
 */
class StatusWriteBehindBoundTest {

    private static final int USERS = 50;
    private static final int FLIPS_PER_USER = 1001; // odd: everyone ends online

    private final InMemoryStatusStore store = new InMemoryStatusStore();
    private final List<List<UserStatus>> saved = new ArrayList<>();
    private final StatusWriteBehind writeBehind = new StatusWriteBehind(store, Runnable::run, Runnable::run,
            saved::add, 4);

    StatusWriteBehindBoundTest() {
        for (int u = 0; u < USERS; u++) {
            store.addUser(user(u));
        }
    }

    private static String user(int u) {
        return "u_" + u;
    }

    /** Flip {@code n} (from 0) of a user: online on even n, version growing. */
    private static UserStatus flip(int u, int n) {
        long version = 1_000_000L + n;
        return new UserStatus(user(u), n % 2 == 0, version - 1, version);
    }

    @Test
    void flipsWaitingForADownDatabaseStayBoundedAndTheLatestStateIsSavedWhenItIsBack() {
        store.failNextSaves(Integer.MAX_VALUE);
        for (int n = 0; n < FLIPS_PER_USER; n++) {
            for (int u = 0; u < USERS; u++) {
                writeBehind.add(List.of(flip(u, n)));
                writeBehind.addFlips(List.of(flip(u, n)));
            }
            if (n % 10 == 0) {
                writeBehind.flush(); // a write-behind interval: the save fails, the batch comes back
            }
            assertThat(writeBehind.mostPendingFlipsOfAUser()).as("flips of one user waiting after flip %d", n)
                    .isLessThanOrEqualTo(4);
            assertThat(writeBehind.pendingFlips()).isLessThanOrEqualTo(4 * USERS);
        }
        assertThat(store.failedSaves()).isGreaterThan(50);
        assertThat(store.flips()).isEmpty();
        // all but the (at most 4, at least 1) flips still waiting per user were merged, and counted
        long waiting = writeBehind.pendingFlips();
        assertThat(writeBehind.flipsMerged()).isEqualTo((long) USERS * FLIPS_PER_USER - waiting);

        store.failNextSaves(0); // the database is back
        writeBehind.flush();

        assertThat(writeBehind.pendingFlips()).isZero();
        assertThat(saved).hasSize(1);
        for (int u = 0; u < USERS; u++) {
            String id = user(u);
            List<UserStatus> flips = store.flips().stream().filter(f -> f.userId().equals(id)).toList();
            assertThat(flips).as("flips of %s saved", id).isNotEmpty().hasSizeLessThanOrEqualTo(4);
            // the last is the user's true latest state; older ones are real flips, in order, still alternating
            assertThat(flips.get(flips.size() - 1)).isEqualTo(flip(u, FLIPS_PER_USER - 1));
            for (int i = 1; i < flips.size(); i++) {
                assertThat(flips.get(i).version()).isGreaterThan(flips.get(i - 1).version());
                assertThat(flips.get(i).online()).isNotEqualTo(flips.get(i - 1).online());
            }
            assertThat(store.status(id).orElseThrow().version()).isEqualTo(flip(u, FLIPS_PER_USER - 1).version());
        }
    }

    @Test
    void inSteadyStateNothingIsMerged() {
        for (int n = 0; n < 100; n++) {
            writeBehind.addFlips(List.of(flip(0, n), flip(1, n)));
            writeBehind.flush();
        }
        assertThat(writeBehind.flipsMerged()).isZero();
        assertThat(store.flips()).hasSize(200);
    }

    @Test
    void aFailedBatchGoesBackBeforeTheFlipsThatCameMeanwhileWithinTheBound() {
        List<Runnable> worker = new ArrayList<>();
        StatusWriteBehind slow = new StatusWriteBehind(store, worker::add, Runnable::run, saved::add, 4);
        store.failNextSaves(1);
        slow.addFlips(List.of(flip(0, 0), flip(0, 1), flip(0, 2)));
        slow.flush(); // in flight on the worker
        slow.addFlips(List.of(flip(0, 3), flip(0, 4)));
        worker.remove(0).run(); // fails: 0..2 come back before 3, 4; five is over the bound: 0 and 1 merged
        assertThat(slow.pendingFlips()).isEqualTo(3);
        assertThat(slow.flipsMerged()).isEqualTo(2);
        slow.flush();
        worker.remove(0).run();
        assertThat(store.flips()).containsExactly(flip(0, 2), flip(0, 3), flip(0, 4));
    }
}
