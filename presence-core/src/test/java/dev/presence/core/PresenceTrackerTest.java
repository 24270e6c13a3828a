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
        tracker.sessionEnded("phone", EndReason.CLOSED, time.millis());

        assertThat(flips).hasSize(1);
        assertThat(tracker.isOnline("bob")).isTrue();
        assertThat(tracker.liveSessions("bob")).isEqualTo(1);

        tracker.sessionEnded("laptop", EndReason.CLOSED, time.millis());
        assertThat(flips).hasSize(2);
        assertThat(flips.get(1).online()).isFalse();
    }

    @Test
    void cleanCloseAndTimeoutCountAtOnce() {
        tracker.sessionStarted("s1", "bob");
        tracker.sessionStarted("s2", "ann");

        assertThat(tracker.sessionEnded("s1", EndReason.CLOSED, time.millis())).isTrue();
        assertThat(tracker.sessionEnded("s2", EndReason.TIMED_OUT, time.millis())).isTrue();

        assertThat(flips).extracting(UserStatus::online).containsExactly(true, true, false, false);
        assertThat(time.pending()).isZero();
    }

    @Test
    void lostConnectionWaitsForTheGraceAndKeepsTheTimeOfTheLossAsLastSeen() {
        tracker.sessionStarted("s1", "bob");
        time.advance(500);
        long lostAt = time.millis();
        tracker.sessionEnded("s1", EndReason.LOST, time.millis());

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
        tracker.sessionEnded("s1", EndReason.LOST, time.millis());
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
        tracker.sessionEnded("old", EndReason.TIMED_OUT, time.millis());
        // and a late duplicate end of the same old session is ignored
        tracker.sessionEnded("old", EndReason.TIMED_OUT, time.millis());

        assertThat(flips).hasSize(1);
        assertThat(tracker.liveSessions("bob")).isEqualTo(1);
    }

    @Test
    void startingTheSameSessionTwiceCountsItOnce() {
        tracker.sessionStarted("s1", "bob");
        tracker.sessionStarted("s1", "bob");
        tracker.sessionEnded("s1", EndReason.CLOSED, time.millis());

        assertThat(tracker.isOnline("bob")).isFalse();
        assertThat(tracker.liveSessionCount()).isZero();
    }

    @Test
    void versionsStrictlyIncreaseEvenWhenTheClockStandsStill() {
        for (int i = 0; i < 5; i++) {
            tracker.sessionStarted("s" + i, "bob");
            tracker.sessionEnded("s" + i, EndReason.CLOSED, time.millis());
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

        tracker.sessionEnded("s1", EndReason.CLOSED, time.millis());
        assertThat(tracker.drainChanged()).singleElement().satisfies(s -> assertThat(s.online()).isFalse());
    }

    @Test
    void aNewSessionCancelsTheGraceSoItsCleanCloseCountsAtOnce() {
        tracker.sessionStarted("s1", "bob");
        tracker.sessionEnded("s1", EndReason.LOST, time.millis());
        time.advance(GRACE / 3);
        tracker.sessionStarted("s2", "bob");
        time.advance(GRACE / 3);

        assertThat(tracker.sessionEnded("s2", EndReason.CLOSED, time.millis())).isTrue();
        assertThat(flips).extracting(UserStatus::online).containsExactly(true, false);
        assertThat(time.pending()).isZero();
    }

    @Test
    void expiringAllGracesAtShutdownMakesTheOfflineFlipsNow() {
        tracker.sessionStarted("s1", "bob");
        long lostAt = time.millis();
        tracker.sessionEnded("s1", EndReason.LOST, time.millis());

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
        tracker.sessionEnded("phone", EndReason.LOST, time.millis());
        tracker.sessionEnded("laptop", EndReason.CLOSED, time.millis());

        assertThat(tracker.isOnline("bob")).isTrue();
        time.advance(GRACE);
        assertThat(tracker.isOnline("bob")).isFalse();
        assertThat(flips).extracting(UserStatus::online).containsExactly(true, false);
    }

    @Test
    void aHeartbeatTimeoutKeepsTheMomentTheUserWasLastHeardFromAsLastSeen() {
        tracker.sessionStarted("s1", "bob");
        time.advance(4_000);
        long lastHeard = time.millis(); // the last pong
        time.advance(20_000 + 10_000 + 250); // interval + timeout of silence, then the sweep notices

        tracker.sessionEnded("s1", EndReason.TIMED_OUT, lastHeard);

        assertThat(flips).extracting(UserStatus::online).containsExactly(true, false);
        assertThat(flips.get(1).lastSeen()).isEqualTo(lastHeard);
        assertThat(tracker.status("bob").lastSeen()).isEqualTo(lastHeard);
    }

    @Test
    void aLostConnectionGoesOfflineAfterTheGraceWithItsLastHeardTimeNotTheTimeOfTheLoss() {
        tracker.sessionStarted("s1", "bob");
        time.advance(1_000);
        long lastHeard = time.millis();
        time.advance(15_000); // the OS took this long to report the connection gone

        tracker.sessionEnded("s1", EndReason.LOST, lastHeard);
        time.advance(GRACE);

        assertThat(flips).extracting(UserStatus::online).containsExactly(true, false);
        assertThat(flips.get(1).lastSeen()).isEqualTo(lastHeard);
    }

    @Test
    void lastSeenIsTheLatestLastHeardAmongTheEndedSessionsWhateverTheOrderOfTheirEnds() {
        tracker.sessionStarted("phone", "bob");
        tracker.sessionStarted("laptop", "bob");
        time.advance(1_000);
        long laptopHeard = time.millis();
        time.advance(1_000);
        long phoneHeard = time.millis();
        time.advance(30_000);

        tracker.sessionEnded("phone", EndReason.TIMED_OUT, phoneHeard);   // noticed first, heard last
        tracker.sessionEnded("laptop", EndReason.CLOSED, laptopHeard);

        assertThat(flips).extracting(UserStatus::online).containsExactly(true, false);
        assertThat(flips.get(1).lastSeen()).isEqualTo(phoneHeard);
    }

    @Test
    void aSessionStartedLaterThanTheLastHeardOfAnotherCountsAsASignOfLife() {
        tracker.sessionStarted("phone", "bob");
        long phoneHeard = time.millis();
        time.advance(5_000);
        long laptopStarted = time.millis();
        tracker.sessionStarted("laptop", "bob");
        time.advance(40_000);

        tracker.sessionEnded("phone", EndReason.TIMED_OUT, phoneHeard);
        tracker.sessionEnded("laptop", EndReason.TIMED_OUT, laptopStarted); // never sent a frame

        assertThat(flips.get(1).lastSeen()).isEqualTo(laptopStarted);
    }

    @Test
    void aLastHeardTimeAfterNowCountsAsNow() {
        tracker.sessionStarted("s1", "bob");
        time.advance(1_000);

        tracker.sessionEnded("s1", EndReason.CLOSED, time.millis() + 60_000);

        assertThat(flips.get(1).lastSeen()).isEqualTo(time.millis());
    }

    @Test
    void theOnlineUserCountFollowsEveryFlipIncludingGracesAndShutdown() {
        tracker.sessionStarted("a1", "ann");
        tracker.sessionStarted("b1", "bob");
        tracker.sessionStarted("b2", "bob");
        assertThat(tracker.onlineUserCount()).isEqualTo(2);

        tracker.sessionEnded("b1", EndReason.CLOSED, time.millis());
        assertThat(tracker.onlineUserCount()).isEqualTo(2);
        tracker.sessionEnded("a1", EndReason.LOST, time.millis());
        assertThat(tracker.onlineUserCount()).isEqualTo(2); // in its grace, ann is still online
        time.advance(GRACE);
        assertThat(tracker.onlineUserCount()).isEqualTo(1);

        tracker.sessionEnded("b2", EndReason.LOST, time.millis());
        tracker.expireAllGraces();
        assertThat(tracker.onlineUserCount()).isZero();
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
        journaled.sessionEnded("laptop", EndReason.CLOSED, time.millis());
        assertThat(journal.get("bob")).isEqualTo(journaled.status("bob"));
        time.advance(100);
        journaled.sessionEnded("phone", EndReason.LOST, time.millis());
        time.advance(GRACE); // the offline flip, from a timer
        assertThat(journal.get("bob")).isEqualTo(journaled.status("bob"));
        assertThat(journal.get("bob").online()).isFalse();

        journaled.restore("ann", 5, 6); // what the store kept is not a change
        assertThat(journal).doesNotContainKey("ann");
        assertThat(journaledBeforeFlip).containsExactly(true, true);
    }
}
