package dev.presence.bench;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class FrameScannerTest {

    private static FrameScanner.Frame scan(String json) throws Exception {
        return FrameScanner.scan(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aStatusChangeIsOneEntry() throws Exception {
        var frame = scan("{\"type\":\"user_status_changed\",\"user_id\":\"u_b7\",\"is_online\":false,"
                + "\"timestamp\":1,\"last_seen\":2,\"version\":42}");
        assertThat(frame.type()).isEqualTo("user_status_changed");
        assertThat(frame.statuses()).containsExactly(new FrameScanner.Status(7, false, 42));
    }

    @Test
    void aWelcomeAndABatchCarryTheirEntries() throws Exception {
        var welcome = scan("{\"type\":\"welcome\",\"session_id\":\"s\",\"heartbeat\":{\"interval_ms\":1},"
                + "\"presence\":[{\"user_id\":\"u_b1\",\"is_online\":true,\"last_seen\":0,\"version\":5},"
                + "{\"user_id\":\"someone\",\"is_online\":false,\"version\":6}]}");
        assertThat(welcome.statuses()).containsExactly(new FrameScanner.Status(1, true, 5),
                new FrameScanner.Status(-1, false, 6));
        var batch = scan("{\"type\":\"status_batch\",\"statuses\":[{\"user_id\":\"u_b2\",\"is_online\":true,"
                + "\"version\":9},{\"user_id\":\"u_b3\",\"is_online\":false,\"version\":10}]}");
        assertThat(batch.statuses()).containsExactly(new FrameScanner.Status(2, true, 9),
                new FrameScanner.Status(3, false, 10));
    }

    @Test
    void framesWithoutATypeAreIgnored() throws Exception {
        assertThat(scan("[1,2]")).isNull();
        assertThat(scan("{\"user_id\":\"u_b1\"}")).isNull();
    }

    @Test
    void aSessionViewFollowsTheVersionRule() {
        Session s = new Session(0, "t", null, new int[] {1, 2});
        s.open = true;
        assertThat(s.replaceView(List.of(new FrameScanner.Status(1, true, 10)))).isNull();
        assertThat(s.apply(new FrameScanner.Status(1, false, 9))).isEqualTo(Session.Applied.STALE);
        assertThat(s.apply(new FrameScanner.Status(2, true, 3))).isEqualTo(Session.Applied.CHANGED_VIEW);
        assertThat(s.viewShowsAllOnline()).isTrue();
        assertThat(s.apply(new FrameScanner.Status(5, true, 3))).isEqualTo(Session.Applied.NOT_WATCHED);
        // a later snapshot older than what was seen is a regression
        assertThat(s.replaceView(List.of(new FrameScanner.Status(1, true, 8)))).isNotNull();
    }

    @Test
    void readsTheBenchSendStampOfAnAppEventAtTheTopOrInsideEvent() throws Exception {
        var top = scan("{\"type\":\"bench.tick\",\"sent_at_nanos\":123456789}");
        assertThat(top.type()).isEqualTo("bench.tick");
        assertThat(top.sentAtNanos()).isEqualTo(123456789L);
        var nested = scan("{\"type\":\"app_event\",\"event\":{\"type\":\"bench.tick\",\"sent_at_nanos\":42}}");
        assertThat(nested.type()).isEqualTo("app_event");
        assertThat(nested.sentAtNanos()).isEqualTo(42L);
        assertThat(scan("{\"type\":\"ping\"}").sentAtNanos()).isEqualTo(-1L);
    }
}
