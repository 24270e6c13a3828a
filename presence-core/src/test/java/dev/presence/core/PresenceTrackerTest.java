package dev.presence.core;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class PresenceTrackerTest {

    private static final long GRACE = 3_000;

    private final VirtualTime time = new VirtualTime(1_000_000);
    private final List<UserStatus> flips = new ArrayList<>();
    private final PresenceTracker tracker = new PresenceTracker(time, time, GRACE, flips::add);

    @Test
    void firstSessionBringsTheUserOnline() {
        assertThat(tracker.sessionStarted("s1", "bob")).isTrue();

        assertThat(flips).singleElement().satisfies(s -> {
            assertThat(s.userId()).isEqualTo("bob");
            assertThat(s.online()).isTrue();
            assertThat(s.version()).isPositive();
        });
        assertThat(tracker.isOnline("bob")).isTrue();
    }

    @Test
    void secondDeviceAndItsDepartureAreNotTransitions() {
        tracker.sessionStarted("phone", "bob");
        tracker.sessionStarted("laptop", "bob");
        tracker.sessionEnded("phone", EndReason.CLOSED);

        assertThat(flips).hasSize(1);
        assertThat(tracker.isOnline("bob")).isTrue();
        assertThat(tracker.liveSessions("bob")).isEqualTo(1);

        tracker.sessionEnded("laptop", EndReason.CLOSED);
        assertThat(flips).hasSize(2);
        assertThat(flips.get(1).online()).isFalse();
    }

    @Test
    void cleanCloseAndTimeoutCountAtOnce() {
        tracker.sessionStarted("s1", "bob");
        tracker.sessionStarted("s2", "ann");

        assertThat(tracker.sessionEnded("s1", EndReason.CLOSED)).isTrue();
        assertThat(tracker.sessionEnded("s2", EndReason.TIMED_OUT)).isTrue();

        assertThat(flips).extracting(UserStatus::online).containsExactly(true, true, false, false);
        assertThat(time.pending()).isZero();
    }

    @Test
    void lostConnectionWaitsForTheGraceAndKeepsTheTimeOfTheLossAsLastSeen() {
        tracker.sessionStarted("s1", "bob");
        time.advance(500);
        long lostAt = time.millis();
        tracker.sessionEnded("s1", EndReason.LOST);

        time.advance(GRACE - 1);
        assertThat(flips).hasSize(1);
        assertThat(tracker.isOnline("bob")).isTrue();

        time.advance(1);
        assertThat(flips).hasSize(2);
        assertThat(flips.get(1).online()).isFalse();
        assertThat(flips.get(1).lastSeen()).isEqualTo(lostAt);
    }

    @Test
    void reconnectInsideTheGraceSendsNothingAtAll() {
        tracker.sessionStarted("s1", "bob");
        tracker.sessionEnded("s1", EndReason.LOST);
        time.advance(GRACE / 2);
        tracker.sessionStarted("s2", "bob");
        time.advance(GRACE * 10);

        assertThat(flips).hasSize(1);
        assertThat(tracker.isOnline("bob")).isTrue();
    }

    @Test
    void reapingAStaleSessionNeverTouchesTheNewerOne() {
        tracker.sessionStarted("old", "bob");
        tracker.sessionStarted("new", "bob");
        // the old one's heartbeat fires after the new one is up
        tracker.sessionEnded("old", EndReason.TIMED_OUT);
        // and a late duplicate end of the same old session is ignored
        tracker.sessionEnded("old", EndReason.TIMED_OUT);

        assertThat(flips).hasSize(1);
        assertThat(tracker.liveSessions("bob")).isEqualTo(1);
    }

    @Test
    void startingTheSameSessionTwiceCountsItOnce() {
        tracker.sessionStarted("s1", "bob");
        tracker.sessionStarted("s1", "bob");
        tracker.sessionEnded("s1", EndReason.CLOSED);

        assertThat(tracker.isOnline("bob")).isFalse();
        assertThat(tracker.liveSessionCount()).isZero();
    }

    @Test
    void versionsStrictlyIncreaseEvenWhenTheClockStandsStill() {
        for (int i = 0; i < 5; i++) {
            tracker.sessionStarted("s" + i, "bob");
            tracker.sessionEnded("s" + i, EndReason.CLOSED);
        }
        assertThat(flips).extracting(UserStatus::version).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void versionsContinueAboveWhatAnEarlierRunKept() {
        long keptVersion = time.millis() + 1_000_000; // written by a run whose clock was ahead
        tracker.restore("bob", 5, keptVersion);
        tracker.sessionStarted("s1", "bob");

        assertThat(flips.get(0).version()).isGreaterThan(keptVersion);
    }

    @Test
    void afterACrashThatLostTheLastWritesVersionsStillOnlyGrow() {
        long handedOutBeforeTheCrash = time.millis() - 10; // never saved: the store still has 5
        time.advance(2_000); // the restart takes a while
        tracker.restore("bob", 1, 5);

        assertThat(tracker.status("bob").version()).isGreaterThan(handedOutBeforeTheCrash);
        tracker.sessionStarted("s1", "bob");
        assertThat(flips.get(0).version()).isGreaterThan(handedOutBeforeTheCrash);
    }

    @Test
    void changedStatusesAreDrainedOnceForTheWriteBehind() {
        tracker.sessionStarted("s1", "bob");
        tracker.sessionStarted("s2", "ann");

        assertThat(tracker.drainChanged()).extracting(UserStatus::userId).containsExactlyInAnyOrder("bob", "ann");
        assertThat(tracker.drainChanged()).isEmpty();

        tracker.sessionEnded("s1", EndReason.CLOSED);
        assertThat(tracker.drainChanged()).singleElement().satisfies(s -> assertThat(s.online()).isFalse());
    }

    @Test
    void aNewSessionCancelsTheGraceSoItsCleanCloseCountsAtOnce() {
        tracker.sessionStarted("s1", "bob");
        tracker.sessionEnded("s1", EndReason.LOST);
        time.advance(GRACE / 3);
        tracker.sessionStarted("s2", "bob");
        time.advance(GRACE / 3);

        assertThat(tracker.sessionEnded("s2", EndReason.CLOSED)).isTrue();
        assertThat(flips).extracting(UserStatus::online).containsExactly(true, false);
        assertThat(time.pending()).isZero();
    }

    @Test
    void expiringAllGracesAtShutdownMakesTheOfflineFlipsNow() {
        tracker.sessionStarted("s1", "bob");
        long lostAt = time.millis();
        tracker.sessionEnded("s1", EndReason.LOST);

        tracker.expireAllGraces();

        assertThat(flips).extracting(UserStatus::online).containsExactly(true, false);
        assertThat(flips.get(1).lastSeen()).isEqualTo(lostAt);
        time.advance(GRACE * 2);
        assertThat(flips).hasSize(2);
    }

    @Test
    void lostSessionKeepsTheUserOnlineEvenIfAnotherDeviceClosesCleanly() {
        tracker.sessionStarted("phone", "bob");
        tracker.sessionStarted("laptop", "bob");
        tracker.sessionEnded("phone", EndReason.LOST);
        tracker.sessionEnded("laptop", EndReason.CLOSED);

        assertThat(tracker.isOnline("bob")).isTrue();
        time.advance(GRACE);
        assertThat(tracker.isOnline("bob")).isFalse();
        assertThat(flips).extracting(UserStatus::online).containsExactly(true, false);
    }

    @Test
    void theChangeListenerHoldsEveryUsersLatestStatusBeforeAnyFlipIsReported() {
        java.util.Map<String, UserStatus> journal = new java.util.HashMap<>();
        List<Boolean> journaledBeforeFlip = new ArrayList<>();
        PresenceTracker journaled = new PresenceTracker(time, time, GRACE,
                flip -> journaledBeforeFlip.add(flip.equals(journal.get(flip.userId()))));
        journaled.onChange(status -> journal.put(status.userId(), status));

        journaled.sessionStarted("phone", "bob");
        assertThat(journal.get("bob")).isEqualTo(journaled.status("bob"));
        time.advance(100);
        journaled.sessionStarted("laptop", "bob"); // no flip, but last seen moves: a welcome may show it
        assertThat(journal.get("bob")).isEqualTo(journaled.status("bob"));
        time.advance(100);
        journaled.sessionEnded("laptop", EndReason.CLOSED);
        assertThat(journal.get("bob")).isEqualTo(journaled.status("bob"));
        time.advance(100);
        journaled.sessionEnded("phone", EndReason.LOST);
        time.advance(GRACE); // the offline flip, from a timer
        assertThat(journal.get("bob")).isEqualTo(journaled.status("bob"));
        assertThat(journal.get("bob").online()).isFalse();

        journaled.restore("ann", 5, 6); // what the store kept is not a change
        assertThat(journal).doesNotContainKey("ann");
        assertThat(journaledBeforeFlip).containsExactly(true, true);
    }
}
