package dev.presence.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A view of a large thread finds members through its index exactly as a small one does by scanning. */
class SessionTest {

    private static Session watching(int members, int self) {
        int[] others = new int[members - 1];
        for (int i = 0, k = 0; i < members; i++) {
            if (i != self) {
                others[k++] = i;
            }
        }
        return new Session(self, "t", null, others);
    }

    @Test
    void largeViewsLookMembersUpByIndex() {
        Session s = watching(2_000, 7);
        assertThat(s.slotOf(0)).isZero();
        assertThat(s.slotOf(8)).isEqualTo(7);
        assertThat(s.slotOf(1_999)).isEqualTo(1_998);
        assertThat(s.slotOf(7)).as("self").isEqualTo(-1);
        assertThat(s.slotOf(-1)).isEqualTo(-1);
        assertThat(s.slotOf(5_000)).isEqualTo(-1);
    }

    @Test
    void aLargeViewIsCompleteOnlyWithEveryMemberOnlineByTheVersionRule() {
        Session s = watching(100, 0);
        s.open = true;
        for (int u = 1; u < 100; u++) {
            assertThat(s.apply(new FrameScanner.Status(u, true, 5))).isEqualTo(Session.Applied.CHANGED_VIEW);
        }
        assertThat(s.viewShowsAllOnline()).isTrue();
        assertThat(s.apply(new FrameScanner.Status(42, false, 4))).isEqualTo(Session.Applied.STALE);
        assertThat(s.apply(new FrameScanner.Status(42, false, 6))).isEqualTo(Session.Applied.CHANGED_VIEW);
        assertThat(s.viewShowsAllOnline()).isFalse();
        assertThat(s.apply(new FrameScanner.Status(0, true, 9))).isEqualTo(Session.Applied.NOT_WATCHED);
    }
}
