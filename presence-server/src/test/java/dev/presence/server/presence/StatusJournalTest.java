package dev.presence.server.presence;

import dev.presence.core.UserStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The status journal's files: what one run writes, the next finds; bounded; one server per file; ids of up to
 * 46 bytes in the 64-byte slots of the first file, longer ones (an app's ids, up to 128) in the second.
 */
class StatusJournalTest {

    private static final long MIB = 1 << 20;
    /** The longest id integration mode allows: 128 characters of {@code A-Z a-z 0-9 _ . : -}. */
    private static final String LONGEST_APP_ID = ("org:acme.users_" + "x".repeat(200)).substring(0, 127) + "-";

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

    @Test
    void aLongAppIdIsFoundAfterACrashAndFreedOnceSaved() throws Exception {
        assertThat(LONGEST_APP_ID).hasSize(128);
        UserStatus online = new UserStatus(LONGEST_APP_ID, true, 1_000, 1_000);
        try (StatusJournal journal = StatusJournal.open(dir)) {
            journal.record(online);
            journal.alive(5_000);
            assertThat(journal.size()).isOne();
        } // no saved(): the crash

        UserStatus offline = new UserStatus(LONGEST_APP_ID, false, 6_000, 6_001);
        try (StatusJournal again = StatusJournal.open(dir)) {
            assertThat(again.found()).containsExactly(new UserStatus(LONGEST_APP_ID, false, 5_000, 1_000));
            again.record(offline);
            again.saved(List.of(offline));
            assertThat(again.size()).isZero();
        }
        try (StatusJournal again = StatusJournal.open(dir)) {
            assertThat(again.found()).isEmpty();
        }
        assertThat(Files.size(dir.resolve(StatusJournal.LONG_FILE_NAME))).isEqualTo(MIB);
    }

    @Test
    void shortAndLongIdsLiveSideBySideEachInItsOwnFile() throws Exception {
        String fortySix = "a".repeat(46);
        String fortySeven = "b".repeat(47);
        String shortInCharsLongInBytes = "\u00e9".repeat(24); // 48 bytes in UTF-8
        String emoji = "u_\uD83D\uDE00".repeat(8); // 48 bytes, 32 chars
        List<UserStatus> all = List.of(new UserStatus("u_ann", true, 1, 1), new UserStatus(fortySix, false, 2, 2),
                new UserStatus(fortySeven, false, 3, 3), new UserStatus(shortInCharsLongInBytes, false, 4, 4),
                new UserStatus(emoji, false, 5, 5), new UserStatus(LONGEST_APP_ID, true, 6, 6));
        try (StatusJournal journal = StatusJournal.open(dir)) {
            all.forEach(journal::record);
            journal.record(new UserStatus(shortInCharsLongInBytes, true, 40, 40)); // its slot, in the long file
            assertThat(journal.size()).isEqualTo(6);
            journal.saved(List.of(all.get(1), all.get(2)));
            assertThat(journal.size()).isEqualTo(4);
        }

        try (StatusJournal again = StatusJournal.open(dir)) {
            assertThat(again.found()).containsExactlyInAnyOrder(new UserStatus("u_ann", false, 1, 1),
                    new UserStatus(shortInCharsLongInBytes, false, 40, 40), all.get(4),
                    new UserStatus(LONGEST_APP_ID, false, 6, 6));
        }
        // the 64-byte file kept only its own: opened alone, the long ids are not in it
        try (JournalFile shortIds = JournalFile.open(dir, StatusJournal.FILE_NAME, 64)) {
            assertThat(shortIds.found()).extracting(UserStatus::userId).containsExactly("u_ann");
        }
    }

    @Test
    void theLongFileGrowsPastOneMegabyteAndFindsEveryEntry() throws Exception {
        List<UserStatus> held = new ArrayList<>();
        try (StatusJournal journal = StatusJournal.open(dir)) {
            for (int i = 0; i < 5_000; i++) { // 4,095 slots in the first MiB (256 bytes each, and the header)
                UserStatus status = new UserStatus(LONGEST_APP_ID.substring(6) + i, false, 1_000 + i, 2_000 + i);
                journal.record(status);
                held.add(status);
            }
        }
        assertThat(Files.size(dir.resolve(StatusJournal.LONG_FILE_NAME))).isEqualTo(2 * MIB);
        assertThat(Files.size(dir.resolve(StatusJournal.FILE_NAME))).isEqualTo(MIB);

        try (StatusJournal again = StatusJournal.open(dir)) {
            assertThat(again.found()).containsExactlyInAnyOrderElementsOf(held);
        }
    }

    @Test
    void anIdTooLongEvenForTheLongFileIsNotJournaledAndHarmsNothing() throws Exception {
        String tooLong = "z".repeat(239);
        try (StatusJournal journal = StatusJournal.open(dir)) {
            journal.record(new UserStatus(tooLong, true, 1, 1));
            journal.record(new UserStatus("z".repeat(238), true, 2, 2));
            journal.saved(List.of(new UserStatus(tooLong, false, 1, 1)));
            assertThat(journal.size()).isOne();
        }
        try (StatusJournal again = StatusJournal.open(dir)) {
            assertThat(again.found()).containsExactly(new UserStatus("z".repeat(238), false, 2, 2));
        }
    }

    @Test
    void aJournalWrittenBeforeLongIdsHadAFileIsStillRead() throws Exception {
        // the format as the earlier version wrote it, byte by byte: no long file beside it
        ByteBuffer file = ByteBuffer.allocate((int) MIB).order(ByteOrder.LITTLE_ENDIAN);
        file.putInt(0, 0x50534a31).putInt(4, 64).putLong(8, 9_000);
        oldSlot(file, 1, "u_ann", true, 1_000, 1_000);
        oldSlot(file, 2, "u_bob", false, 1_500, 1_501);
        oldSlot(file, 3, "a".repeat(46), false, 1_600, 1_601);
        try (FileChannel channel = FileChannel.open(dir.resolve(StatusJournal.FILE_NAME), StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE)) {
            channel.write(file);
        }

        try (StatusJournal journal = StatusJournal.open(dir)) {
            assertThat(journal.found()).containsExactlyInAnyOrder(new UserStatus("u_ann", false, 9_000, 1_000),
                    new UserStatus("u_bob", false, 1_500, 1_501), new UserStatus("a".repeat(46), false, 1_600, 1_601));
            journal.record(new UserStatus(LONGEST_APP_ID, false, 2_000, 2_000));
        }
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(name -> name.contains("unreadable"));
        }
        try (StatusJournal again = StatusJournal.open(dir)) {
            assertThat(again.found()).hasSize(4).contains(new UserStatus(LONGEST_APP_ID, false, 2_000, 2_000));
        }
    }

    private static void oldSlot(ByteBuffer file, int slot, String id, boolean online, long lastSeen, long version) {
        byte[] bytes = id.getBytes(StandardCharsets.UTF_8);
        int at = slot * 64;
        file.putLong(at, lastSeen).putLong(at + 8, version).put(at + 16, (byte) (online ? 1 : 0))
                .put(at + 17, (byte) bytes.length).put(at + 18, bytes);
    }

    @Test
    void aLongFileHeldByAnotherServerIsRefusedAndTheShortOneIsLetGo() throws Exception {
        try (StatusJournal ignored = StatusJournal.open(dir)) {
            // created
        }
        try (FileChannel other = FileChannel.open(dir.resolve(StatusJournal.LONG_FILE_NAME),
                StandardOpenOption.WRITE); FileLock held = other.lock()) {
            assertThatThrownBy(() -> StatusJournal.open(dir)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(StatusJournal.LONG_FILE_NAME).hasMessageContaining("--data-dir of its own");
        }
        try (StatusJournal journal = StatusJournal.open(dir)) {
            journal.record(new UserStatus("u_ann", false, 1, 1));
        }
    }

    @Test
    void anUnreadableLongFileIsMovedAsideAndTheShortOneKept() throws Exception {
        try (StatusJournal journal = StatusJournal.open(dir)) {
            journal.record(new UserStatus("u_ann", false, 1, 1));
        }
        Files.writeString(dir.resolve(StatusJournal.LONG_FILE_NAME), "not a journal");

        try (StatusJournal journal = StatusJournal.open(dir)) {
            assertThat(journal.found()).containsExactly(new UserStatus("u_ann", false, 1, 1));
        }
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .anyMatch(name -> name.startsWith(StatusJournal.LONG_FILE_NAME + ".unreadable-"));
        }
    }

    @Test
    void theLongFileIsReadableByItsOwnerOnly() throws Exception {
        try (StatusJournal ignored = StatusJournal.open(dir)) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(
                    dir.resolve(StatusJournal.LONG_FILE_NAME)))).isEqualTo("rw-------");
        }
    }

    @Test
    void theUtf8LengthIsCountedAsTheEncoderCountsIt() {
        for (String id : List.of("", "u_ann", "a".repeat(46), "a".repeat(47), "\u00e9".repeat(23),
                "\u00e9".repeat(24), "\u20ac".repeat(15) + "a", "\u20ac".repeat(16), "\uD83D\uDE00".repeat(12),
                "a\uD83D".repeat(23), "\uDE00" + "b".repeat(45), "\uDE00" + "b".repeat(46))) {
            int bytes = id.getBytes(StandardCharsets.UTF_8).length;
            assertThat(StatusJournal.utf8LongerThan(id, 46)).as(id).isEqualTo(bytes > 46);
            assertThat(StatusJournal.utf8LongerThan(id, bytes)).as(id).isFalse();
            if (bytes > 0) {
                assertThat(StatusJournal.utf8LongerThan(id, bytes - 1)).as(id).isTrue();
            }
        }
    }
}
