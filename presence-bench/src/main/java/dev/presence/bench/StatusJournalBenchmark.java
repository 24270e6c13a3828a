package dev.presence.bench;

import dev.presence.core.UserStatus;
import dev.presence.server.presence.StatusJournal;
import dev.presence.server.protocol.Frames;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What the status journal adds to each status change on the presence thread, next to what that path already
 * does for every change (encoding the {@code user_status_changed} frame once).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class StatusJournalBenchmark {

    private static final int USERS = 20_000;

    private Path dir;
    private StatusJournal journal;
    private UserStatus[] changes;
    private UserStatus[] newcomers;
    private int next;

    @Setup(Level.Trial)
    public void open() throws IOException {
        dir = Files.createTempDirectory("presence-journal-bench");
        journal = StatusJournal.open(dir);
        changes = new UserStatus[USERS];
        newcomers = new UserStatus[USERS];
        long now = System.currentTimeMillis();
        for (int i = 0; i < USERS; i++) {
            // 18 characters, like the server's ids
            changes[i] = new UserStatus(String.format("u_%016d", i), (i & 1) == 0, now + i, now + i);
            newcomers[i] = new UserStatus(String.format("n_%016d", i), false, now + i, now + i);
            journal.record(changes[i]); // every user has a slot: the common case is a change of a known user
        }
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        journal.close();
        Files.deleteIfExists(dir.resolve(StatusJournal.FILE_NAME));
        Files.deleteIfExists(dir.resolve(StatusJournal.LONG_FILE_NAME));
        Files.deleteIfExists(dir);
    }

    /** A change of a user who has a slot (online now, or changed within the last second): three stores. */
    @Benchmark
    public void recordAChange() {
        journal.record(changes[next++ % USERS]);
    }

    /** A user without a slot: one is claimed (the id written), and freed once the write-behind saved it. */
    @Benchmark
    public void recordANewUserThenFreeItsSlot() {
        UserStatus status = newcomers[next++ % USERS];
        journal.record(status);
        journal.saved(List.of(status));
    }

    /** For scale: what the status path already does once per change, the frame for every recipient. */
    @Benchmark
    public byte[] encodeTheStatusFrame() {
        return Frames.statusChanged(changes[next++ % USERS], 1_767_052_800_000L);
    }
}
