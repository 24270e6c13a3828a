package dev.presence.core;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class PresenceEngineTest {

    record Delivery(List<String> recipients, UserStatus status, boolean flip) {
    }

    private final VirtualTime time = new VirtualTime(1_000_000);
    private final List<Delivery> deliveries = new ArrayList<>();
    private final PresenceEngine engine = new PresenceEngine(time, time, 3_000,
            (Collection<String> to, UserStatus s, boolean flip) -> deliveries.add(
                    new Delivery(List.copyOf(to), s, flip)));

    @Test
    void aFlipGoesToLiveCoMembersOnly() {
        engine.audience().join("t1", "ann");
        engine.audience().join("t1", "bob");
        engine.audience().join("t1", "cat");
        engine.audience().join("t2", "dan"); // shares nothing with bob
        engine.sessionStarted("a1", "ann");
        engine.sessionStarted("d1", "dan");
        deliveries.clear();

        engine.sessionStarted("b1", "bob");

        assertThat(deliveries).singleElement().satisfies(d -> {
            assertThat(d.recipients()).containsExactly("ann"); // cat is offline, dan shares no thread
            assertThat(d.status().online()).isTrue();
            assertThat(d.flip()).isTrue();
        });
    }

    @Test
    void theWelcomeSnapshotListsEveryCoMemberAndNobodyElse() {
        engine.audience().join("t1", "ann");
        engine.audience().join("t1", "bob");
        engine.audience().join("t2", "dan");
        engine.sessionStarted("b1", "bob");
        engine.sessionStarted("d1", "dan");

        List<UserStatus> snapshot = engine.sessionStarted("a1", "ann");

        assertThat(snapshot).singleElement().satisfies(s -> {
            assertThat(s.userId()).isEqualTo("bob");
            assertThat(s.online()).isTrue();
        });
        assertThat(engine.visibleStatuses("ann", List.of("bob", "dan", "nobody")))
                .extracting(UserStatus::userId).containsExactly("bob");
    }

    @Test
    void joiningAThreadShowsBothSidesEachOthersStatusAtOnce() {
        engine.audience().join("t1", "ann");
        engine.sessionStarted("a1", "ann");
        engine.sessionStarted("b1", "bob");
        deliveries.clear();

        engine.joined("t1", "bob");

        assertThat(deliveries).hasSize(2).allSatisfy(d -> assertThat(d.flip()).isFalse());
        assertThat(deliveries).anySatisfy(d -> {
            assertThat(d.recipients()).containsExactly("bob");
            assertThat(d.status().userId()).isEqualTo("ann");
        });
        assertThat(deliveries).anySatisfy(d -> {
            assertThat(d.recipients()).containsExactly("ann");
            assertThat(d.status().userId()).isEqualTo("bob");
        });
    }

    @Test
    void afterLeavingNoStatusFlowsEitherWay() {
        engine.audience().join("t1", "ann");
        engine.audience().join("t1", "bob");
        engine.sessionStarted("a1", "ann");
        engine.left("t1", "bob");
        deliveries.clear();

        engine.sessionStarted("b1", "bob");
        engine.sessionEnded("a1", EndReason.CLOSED, time.millis());

        assertThat(deliveries).hasSize(2).allSatisfy(d -> assertThat(d.recipients()).isEmpty());
    }

    @Test
    void aUserWhoseOnlySessionIsInGraceReceivesNothing() {
        engine.audience().join("t1", "ann");
        engine.audience().join("t1", "bob");
        engine.sessionStarted("a1", "ann");
        engine.sessionEnded("a1", EndReason.LOST, time.millis());
        deliveries.clear();

        engine.sessionStarted("b1", "bob");

        assertThat(deliveries).singleElement().satisfies(d -> {
            assertThat(d.status().userId()).isEqualTo("bob");
            assertThat(d.recipients()).isEmpty();
        });
    }

    @Test
    void aFlipThatNobodyHearsStillReachesTheSinkSoItCanBeCounted() {
        engine.sessionStarted("a1", "ann"); // shares no thread with anyone
        engine.sessionEnded("a1", EndReason.CLOSED, time.millis());

        assertThat(deliveries).extracting(d -> d.status().online()).containsExactly(true, false);
        assertThat(deliveries).allSatisfy(d -> {
            assertThat(d.recipients()).isEmpty();
            assertThat(d.flip()).isTrue();
        });
        assertThat(engine.onlineUserCount()).isZero();
    }
}
