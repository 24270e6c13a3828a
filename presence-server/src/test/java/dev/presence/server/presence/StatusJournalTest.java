package dev.presence.server.presence;

import dev.presence.core.UserStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The status journal's file: what one run writes, the next finds; bounded; one server per file. */
class StatusJournalTest {

    private static final long MIB = 1 << 20;

    @TempDir
    Path dir;

    @Test
    void whatWasRecordedIsFoundAtTheNextOpenOfflineWithTheLatestValues() throws Exception {
        try (StatusJournal journal = StatusJournal.open(dir)) {
            assertThat(journal.found()).isEmpty();
            journal.record(new UserStatus("u_ann", true, 1_000, 1_000));
            journal.record(new UserStatus("u_ann", false, 2_000, 2_001));
            journal.record(new UserStatus("u_bob", false, 500, 7));
        }

        try (StatusJournal again = StatusJournal.open(dir)) {
            assertThat(again.found()).containsExactlyInAnyOrder(new UserStatus("u_ann", false, 2_000, 2_001),
                    new UserStatus("u_bob", false, 500, 7));
        }
    }

    @Test
    void aUserOnlineAtTheCrashWasSeenUntilThePresenceThreadLastProvedAlive() throws Exception {
        try (StatusJournal journal = StatusJournal.open(dir)) {
            journal.record(new UserStatus("u_ann", true, 1_000, 1_000));
            journal.record(new UserStatus("u_bob", false, 1_500, 1_500));
            journal.alive(9_000);
        }

        try (StatusJournal again = StatusJournal.open(dir)) {
            assertThat(again.found()).containsExactlyInAnyOrder(new UserStatus("u_ann", false, 9_000, 1_000),
                    new UserStatus("u_bob", false, 1_500, 1_500));
        }
    }

    @Test
    void aSavedEntryIsFreedUnlessItChangedSinceOrTheUserIsOnline() throws Exception {
        try (StatusJournal journal = StatusJournal.open(dir)) {
            UserStatus annSaved = new UserStatus("u_ann", false, 1_000, 10);
            journal.record(annSaved);
            journal.record(new UserStatus("u_bob", false, 1_000, 10));
            journal.record(new UserStatus("u_cid", true, 1_000, 10));
            List<UserStatus> batch = List.of(annSaved, new UserStatus("u_bob", false, 1_000, 10),
                    new UserStatus("u_cid", true, 1_000, 10));
            journal.record(new UserStatus("u_bob", true, 1_200, 11)); // changed after the batch was taken

            journal.saved(batch);

            assertThat(journal.size()).isEqualTo(2);
        }
        try (StatusJournal again = StatusJournal.open(dir)) {
            assertThat(again.found()).extracting(UserStatus::userId).containsExactlyInAnyOrder("u_bob", "u_cid");
        }
    }

    @Test
    void freedSlotsAreReusedSoTheFileStaysTheSizeOfWhatItHoldsAtOnce() throws Exception {
        try (StatusJournal journal = StatusJournal.open(dir)) {
            for (int i = 0; i < 100_000; i++) {
                UserStatus status = new UserStatus("u_" + i, false, i, i);
                journal.record(status);
                journal.saved(List.of(status));
            }
            assertThat(journal.size()).isZero();
        }
        assertThat(Files.size(dir.resolve(StatusJournal.FILE_NAME))).isEqualTo(MIB);
    }

    @Test
    void itGrowsPastOneMegabyteAndFindsEveryEntry() throws Exception {
        List<UserStatus> held = new ArrayList<>();
        try (StatusJournal journal = StatusJournal.open(dir)) {
            for (int i = 0; i < 40_000; i++) {
                UserStatus status = new UserStatus("u_" + i, false, 1_000 + i, 2_000 + i);
                journal.record(status);
                held.add(status);
            }
        }
        assertThat(Files.size(dir.resolve(StatusJournal.FILE_NAME))).isEqualTo(3 * MIB);

        try (StatusJournal again = StatusJournal.open(dir)) {
            assertThat(again.found()).containsExactlyInAnyOrderElementsOf(held);
            // and its free slots are known: new users fill them before the file grows again
            for (int i = 0; i < 5_000; i++) {
                again.record(new UserStatus("v_" + i, false, 1, 1));
            }
            again.saved(held);
            assertThat(again.size()).isEqualTo(5_000);
        }
        assertThat(Files.size(dir.resolve(StatusJournal.FILE_NAME))).isEqualTo(3 * MIB);
    }

    @Test
    void aDamagedSlotIsSkippedAndGivenToTheNextUser() throws Exception {
        try (StatusJournal journal = StatusJournal.open(dir)) {
            journal.record(new UserStatus("u_ann", false, 1, 1));
        }
        try (FileChannel file = FileChannel.open(dir.resolve(StatusJournal.FILE_NAME), StandardOpenOption.WRITE)) {
            file.write(ByteBuffer.wrap(new byte[] {(byte) 200}), 64 + 17); // the first slot's id length
        }

        try (StatusJournal journal = StatusJournal.open(dir)) {
            assertThat(journal.found()).isEmpty();
            journal.record(new UserStatus("u_bob", false, 2, 2));
        }
        try (StatusJournal again = StatusJournal.open(dir)) {
            assertThat(again.found()).containsExactly(new UserStatus("u_bob", false, 2, 2));
        }
    }

    @Test
    void aSecondServerOnTheSameDataDirectoryIsRefused() throws Exception {
        try (StatusJournal ignored = StatusJournal.open(dir)) {
            assertThatThrownBy(() -> StatusJournal.open(dir)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("--data-dir of its own");
        }
    }

    @Test
    void anUnreadableFileIsMovedAsideAndANewJournalStarts() throws Exception {
        Files.writeString(dir.resolve(StatusJournal.FILE_NAME), "not a journal");

        try (StatusJournal journal = StatusJournal.open(dir)) {
            assertThat(journal.found()).isEmpty();
            journal.record(new UserStatus("u_ann", false, 1, 1));
        }

        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .anyMatch(name -> name.startsWith(StatusJournal.FILE_NAME + ".unreadable-"));
        }
        try (StatusJournal again = StatusJournal.open(dir)) {
            assertThat(again.found()).containsExactly(new UserStatus("u_ann", false, 1, 1));
        }
    }

    @Test
    void theFileIsReadableByItsOwnerOnly() throws Exception {
        try (StatusJournal ignored = StatusJournal.open(dir)) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(
                    dir.resolve(StatusJournal.FILE_NAME)))).isEqualTo("rw-------");
        }
    }
}
