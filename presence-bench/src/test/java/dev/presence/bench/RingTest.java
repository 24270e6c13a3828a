package dev.presence.bench;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RingTest {

    @Test
    void everyUserSharesThreadsWithEightNeighbours() {
        assertThat(Arrays.stream(Ring.coMembers(0, 20)).sorted().toArray()).containsExactly(1, 2, 3, 4, 16, 17, 18, 19);
        assertThat(Ring.coMembers(10, 20)).hasSize(8).doesNotContain(10);
        assertThatThrownBy(() -> Ring.coMembers(0, 8)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void userIdsRoundTrip() {
        assertThat(Ring.userIndex(Ring.userId(12345))).isEqualTo(12345);
        assertThat(Ring.userIndex("u_3kT9abc")).isEqualTo(-1);
        assertThat(Ring.userIndex(null)).isEqualTo(-1);
    }

    @Test
    void durationsAsTheServerTakesThem() {
        assertThat(Durations.seconds("500ms")).isEqualTo(0.5);
        assertThat(Durations.seconds("5s")).isEqualTo(5.0);
        assertThat(Durations.seconds("2m")).isEqualTo(120.0);
    }

    @Test
    void openFilesLimitIsReadFromProc(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path limits = dir.resolve("limits");
        Files.writeString(limits, "Limit                     Soft Limit           Hard Limit           Units\n"
                + "Max open files            20000                20000                files\n");
        assertThat(Limits.openFilesLimit(limits)).isEqualTo(20_000);
    }
}
