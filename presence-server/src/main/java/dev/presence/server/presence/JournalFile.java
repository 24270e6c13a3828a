package dev.presence.server.presence;

import dev.presence.core.UserStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One file of the {@link StatusJournal}: a fixed slot per user, rewritten in place, in a memory-mapped file of
 * 1 MiB regions; slot 0 is the header (magic, slot size, when the presence thread last proved alive).
 *
 * <p>Torn writes: a slot's fields are 8-byte aligned and only ever grow, except the online flag, and a slot is
 * claimed by writing its id length last; a crash in the middle of a write leaves a mix of the old and the new
 * entry, never older than the old one, and the new one was not delivered yet. Not thread-safe: the presence
 * thread owns it.
 */
final class JournalFile implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(JournalFile.class);

    private static final int MAGIC = 0x50534a31; // "PSJ1"
    private static final int REGION = 1 << 20;
    // a slot: last seen, version, online flag, id length (0: free), id (UTF-8)
    private static final int LAST_SEEN = 0;
    private static final int VERSION = 8;
    private static final int ONLINE = 16;
    private static final int ID_LENGTH = 17;
    static final int ID = 18;
    // slot 0 is the header: magic, slot size, when the presence thread last proved alive
    private static final int HEADER_MAGIC = 0;
    private static final int HEADER_SLOT_SIZE = 4;
    private static final int HEADER_ALIVE_AT = 8;

    private final Path file;
    private final int slotSize;
    private final int slotsPerRegion;
    // shifts and a mask, not a division: slot to offset is on every status change (a division is ~10 ns more)
    private final int regionShift;
    private final int slotShift;
    private final int maxIdBytes;
    private final FileChannel channel;
    private final FileLock lock;
    private final List<MappedByteBuffer> regions = new ArrayList<>();
    private final Map<String, Integer> slots = new HashMap<>();
    private int[] free = new int[64];
    private int freeCount;
    private int nextUnused = 1;
    private final List<UserStatus> found = new ArrayList<>();
    private boolean warnedLongId;

    /** The bytes a slot of {@code slotSize} leaves for the id (whose length is one byte). */
    static int maxIdBytes(int slotSize) {
        return Math.min(slotSize - ID, 255);
    }

    private JournalFile(Path file, int slotSize, FileChannel channel, FileLock lock) {
        this.file = file;
        this.slotSize = slotSize;
        this.slotsPerRegion = REGION / slotSize;
        this.regionShift = Integer.numberOfTrailingZeros(slotsPerRegion);
        this.slotShift = Integer.numberOfTrailingZeros(slotSize);
        this.maxIdBytes = maxIdBytes(slotSize);
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Opens (or creates) {@code fileName} in {@code dataDir}, of slots of {@code slotSize} bytes (a power of
     * two, at most 1 MiB), and reads what it holds; see {@link #found()}.
     *
     * @throws IllegalStateException if another process holds it (two servers on one data directory)
     */
    static JournalFile open(Path dataDir, String fileName, int slotSize) throws IOException {
        if (slotSize <= ID || slotSize > REGION || Integer.bitCount(slotSize) != 1) {
            throw new IllegalArgumentException("slot size " + slotSize + " is not a power of two up to " + REGION);
        }
        Files.createDirectories(dataDir);
        Path file = dataDir.resolve(fileName);
        createOwnerOnly(file);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                throw new IllegalStateException(file + " is in use by another presence server: each server needs"
                        + " a --data-dir of its own");
            }
            JournalFile journal = new JournalFile(file, slotSize, channel, lock);
            if (!journal.load()) {
                channel.close();
                Path aside = dataDir.resolve(fileName + ".unreadable-" + System.currentTimeMillis());
                Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
                log.warn("{} is not a status journal of this version; moved it to {} and started a new one", file,
                        aside);
                return open(dataDir, fileName, slotSize);
            }
            return journal;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private static void createOwnerOnly(Path file) throws IOException {
        try {
            if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rw-------")));
            } else {
                Files.createFile(file);
            }
        } catch (FileAlreadyExistsException e) {
            // kept from an earlier run: that is what it is for
        }
    }

    /** Maps the file and indexes its entries; false if it is not a journal this code can read. */
    private boolean load() throws IOException {
        long size = channel.size();
        if (size == 0) {
            MappedByteBuffer header = region(0);
            header.putInt(HEADER_SLOT_SIZE, slotSize);
            header.putInt(HEADER_MAGIC, MAGIC);
            return true;
        }
        if (size % REGION != 0) {
            return false;
        }
        for (int r = 0; r < size / REGION; r++) {
            region(r);
        }
        MappedByteBuffer header = regions.get(0);
        if (header.getInt(HEADER_MAGIC) != MAGIC || header.getInt(HEADER_SLOT_SIZE) != slotSize) {
            return false;
        }
        long aliveAt = header.getLong(HEADER_ALIVE_AT);
        int capacity = regions.size() * slotsPerRegion;
        int highest = 0;
        for (int slot = 1; slot < capacity; slot++) {
            if (slotBuffer(slot).get(base(slot) + ID_LENGTH) == 0) {
                continue;
            }
            UserStatus entry = read(slot);
            // neither can happen by the order of writes (a damaged file, say); such a slot is freed
            if (entry == null || slots.putIfAbsent(entry.userId(), slot) != null) {
                slotBuffer(slot).put(base(slot) + ID_LENGTH, (byte) 0);
                continue;
            }
            highest = slot;
            // an online user was there until the presence thread last proved alive, at least
            long lastSeen = entry.online() ? Math.max(entry.lastSeen(), aliveAt) : entry.lastSeen();
            found.add(new UserStatus(entry.userId(), false, lastSeen, entry.version()));
        }
        nextUnused = highest + 1;
        for (int slot = highest; slot >= 1; slot--) {
            if (slotBuffer(slot).get(base(slot) + ID_LENGTH) == 0) {
                pushFree(slot);
            }
        }
        return true;
    }

    private UserStatus read(int slot) {
        MappedByteBuffer b = slotBuffer(slot);
        int at = base(slot);
        int length = b.get(at + ID_LENGTH) & 0xff;
        if (length == 0 || length > maxIdBytes) {
            return null;
        }
        byte[] id = new byte[length];
        b.get(at + ID, id);
        long lastSeen = b.getLong(at + LAST_SEEN);
        long version = b.getLong(at + VERSION);
        if (lastSeen < 0 || version < 0) {
            return null;
        }
        return new UserStatus(new String(id, StandardCharsets.UTF_8), b.get(at + ONLINE) != 0, lastSeen, version);
    }

    /** What the file held when opened, as {@link StatusJournal#found()} says. */
    List<UserStatus> found() {
        return List.copyOf(found);
    }

    /** Writes the user's latest status; it is in the page cache when this returns. */
    void record(UserStatus status) {
        if (update(status)) {
            return;
        }
        byte[] id = status.userId().getBytes(StandardCharsets.UTF_8);
        if (id.length > maxIdBytes) {
            if (!warnedLongId) {
                warnedLongId = true;
                log.warn("User ids longer than {} bytes are not journaled: {}", maxIdBytes, status.userId());
            }
            return;
        }
        int slot = claim();
        if (slot < 0) {
            return;
        }
        int at = base(slot);
        MappedByteBuffer b = slotBuffer(slot);
        b.put(at + ID, id);
        b.putLong(at + LAST_SEEN, status.lastSeen());
        b.putLong(at + VERSION, status.version());
        b.put(at + ONLINE, (byte) (status.online() ? 1 : 0));
        b.put(at + ID_LENGTH, (byte) id.length); // last: the slot counts from here on
        slots.put(status.userId(), slot);
    }

    /** Writes the user's latest status if they have a slot here; false if not (nothing written). */
    boolean update(UserStatus status) {
        Integer existing = slots.get(status.userId());
        if (existing == null) {
            return false;
        }
        int at = base(existing);
        MappedByteBuffer b = slotBuffer(existing);
        b.putLong(at + LAST_SEEN, status.lastSeen());
        b.putLong(at + VERSION, status.version());
        b.put(at + ONLINE, (byte) (status.online() ? 1 : 0));
        return true;
    }

    /** The presence thread is alive at {@code now}: users online in the journal were seen until then. */
    void alive(long now) {
        regions.get(0).putLong(HEADER_ALIVE_AT, now);
    }

    /**
     * The database now holds this status: the user's slot is freed if no newer and the user is offline.
     *
     * @return whether the user has (or had, until now) a slot in this file
     */
    boolean saved(UserStatus s) {
        Integer slot = slots.get(s.userId());
        if (slot == null) {
            return false;
        }
        MappedByteBuffer b = slotBuffer(slot);
        int at = base(slot);
        if (b.get(at + ONLINE) == 0 && b.getLong(at + LAST_SEEN) <= s.lastSeen()
                && b.getLong(at + VERSION) <= s.version()) {
            slots.remove(s.userId());
            release(slot);
        }
        return true;
    }

    /** Users with an entry now. */
    int size() {
        return slots.size();
    }

    private int claim() {
        if (freeCount > 0) {
            return free[--freeCount];
        }
        int slot = nextUnused;
        if (slot >>> regionShift >= regions.size()) {
            try {
                // rare (once per region's worth of users held at once) and short: 1 MiB written, then one mmap
                region(regions.size());
            } catch (IOException e) {
                // presence goes on; only this user's last seen may come back older after a crash
                log.error("Could not grow {}: statuses of new users are not journaled", file, e);
                return -1;
            }
        }
        nextUnused++;
        return slot;
    }

    private void release(int slot) {
        slotBuffer(slot).put(base(slot) + ID_LENGTH, (byte) 0);
        pushFree(slot);
    }

    private void pushFree(int slot) {
        if (freeCount == free.length) {
            free = Arrays.copyOf(free, free.length * 2);
        }
        free[freeCount++] = slot;
    }

    private MappedByteBuffer region(int index) throws IOException {
        long offset = (long) index * REGION;
        if (channel.size() < offset + REGION) {
            // zeros (free slots) written, not just a longer file: the blocks are allocated now, so a full disk
            // fails here and not later as a fault on a store into the mapping
            ByteBuffer zeros = ByteBuffer.allocate(REGION);
            while (zeros.hasRemaining()) {
                channel.write(zeros, offset + zeros.position());
            }
        }
        MappedByteBuffer b = channel.map(FileChannel.MapMode.READ_WRITE, offset, REGION);
        b.order(ByteOrder.LITTLE_ENDIAN);
        regions.add(b);
        return b;
    }

    private MappedByteBuffer slotBuffer(int slot) {
        return regions.get(slot >>> regionShift);
    }

    private int base(int slot) {
        return (slot & (slotsPerRegion - 1)) << slotShift;
    }

    /** Releases the file; what was written stays in it for the next start. */
    @Override
    public void close() {
        if (!channel.isOpen()) {
            return;
        }
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            log.warn("Could not close {}", file, e);
        }
    }
}
