package dev.presence.server.presence;

import dev.presence.core.UserStatus;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The statuses that watchers may have been shown but the database may not have yet: the latest status of each
 * such user, in memory-mapped files under the data directory, written on the presence thread before the change
 * can be delivered, and read back at start over what the database kept.
 *
 * <p>Why a mapped file: the database is written behind, in batches, about a second late, and must stay off the
 * status path; but a {@code last_seen} a watcher received must not come back older after a crash. A store into
 * a {@link MappedByteBuffer} is a memory write (tens of nanoseconds, no system call, nothing to wait for), and
 * the page it dirties belongs to the kernel's page cache, which outlives the process: a {@code kill -9} loses
 * nothing written here. (A power loss can; the status journal does not {@code msync}, like the embedded
 * database does not fsync.) An append-only log would need compaction; instead each user has a fixed slot,
 * rewritten in place, so a file holds one entry per user and never grows with the number of changes.
 *
 * <p>Bounded: a slot is freed once the write-behind has saved a status at least as new as the slot's, unless the
 * user is online (an online user's slot says so, and a crash then counts them as seen until the presence
 * thread last {@linkplain #alive proved alive}, not as of when they connected). So the files hold the users
 * online now plus those changed in the last second or so, and are as large as the most they ever held at once.
 *
 * <p>Two files, by the id's length in UTF-8: ids of up to {@value #SHORT_ID_BYTES} bytes (server-made ids have
 * 18) in {@value #FILE_NAME}, 64 bytes a slot, since its touched pages count in the server's memory per online
 * user; longer ids (an app's own ids in integration mode, up to 128 bytes) in {@value #LONG_FILE_NAME}, 256
 * bytes a slot. A user's id always goes to the same file, so a user has one entry at most. Not thread-safe: the
 * presence thread owns it.
 */
public final class StatusJournal implements AutoCloseable {

    /** The file of short ids in the data directory (the journal's only file before long ids had one). */
    public static final String FILE_NAME = "status-journal";
    /** The file of long ids in the data directory. */
    public static final String LONG_FILE_NAME = "status-journal-long";

    private static final int SHORT_SLOT = 64;
    private static final int LONG_SLOT = 256;
    private static final int SHORT_ID_BYTES = SHORT_SLOT - JournalFile.ID;

    private final JournalFile shortIds;
    private final JournalFile longIds;

    private StatusJournal(JournalFile shortIds, JournalFile longIds) {
        this.shortIds = shortIds;
        this.longIds = longIds;
    }

    /**
     * Opens (or creates) the journal's files in {@code dataDir} and reads what they hold; see {@link #found()}.
     *
     * @throws IllegalStateException if another process holds them (two servers on one data directory)
     */
    public static StatusJournal open(Path dataDir) throws IOException {
        JournalFile shortIds = JournalFile.open(dataDir, FILE_NAME, SHORT_SLOT);
        try {
            return new StatusJournal(shortIds, JournalFile.open(dataDir, LONG_FILE_NAME, LONG_SLOT));
        } catch (IOException | RuntimeException e) {
            shortIds.close();
            throw e;
        }
    }

    /**
     * What the journal held when opened: the statuses a crash may have kept from the database, each offline
     * (nobody is connected to a server that just started) and, for users who were online, last seen when the
     * presence thread last proved alive.
     */
    public List<UserStatus> found() {
        List<UserStatus> found = new ArrayList<>(shortIds.found());
        found.addAll(longIds.found());
        return List.copyOf(found);
    }

    /** Writes the user's latest status; it is in the page cache when this returns. */
    public void record(UserStatus status) {
        // the common case, a change of a short id that has a slot, costs what it did with one file: one lookup
        if (status.userId().length() > SHORT_ID_BYTES || !shortIds.update(status)) {
            fileOf(status.userId()).record(status);
        }
    }

    /** The presence thread is alive at {@code now}: users online in the journal were seen until then. */
    public void alive(long now) {
        // each file keeps its own, so each reads back alone as it always did; two stores, no system call
        shortIds.alive(now);
        longIds.alive(now);
    }

    /**
     * The database now holds these statuses: slots no newer than what was saved, of users now offline, are
     * freed for others.
     */
    public void saved(Collection<UserStatus> statuses) {
        for (UserStatus s : statuses) {
            // a user has a slot in one file at most: looking in both is cheaper than counting the id's bytes
            if (s.userId().length() > SHORT_ID_BYTES || !shortIds.saved(s)) {
                longIds.saved(s);
            }
        }
    }

    /** Users with an entry now. */
    public int size() {
        return shortIds.size() + longIds.size();
    }

    private JournalFile fileOf(String userId) {
        return utf8LongerThan(userId, SHORT_ID_BYTES) ? longIds : shortIds;
    }

    /** Whether the id takes more than {@code bytes} bytes in UTF-8; counted without encoding it (no garbage). */
    static boolean utf8LongerThan(String id, int bytes) {
        if (id.length() > bytes) {
            return true; // a char is one byte at least, a surrogate pair four for its two
        }
        int count = 0;
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (c < 0x80) {
                count++;
            } else if (c < 0x800) {
                count += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < id.length()
                    && Character.isLowSurrogate(id.charAt(i + 1))) {
                count += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                count++; // a lone one is encoded as '?': the same count as the file sees, so the same file
            } else {
                count += 3;
            }
        }
        return count > bytes;
    }

    /** Releases the files; what was written stays in them for the next start. */
    @Override
    public void close() {
        shortIds.close();
        longIds.close();
    }
}
