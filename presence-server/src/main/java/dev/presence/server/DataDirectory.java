package dev.presence.server;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The folder of the embedded database, held by one server at a time and readable by its owner only: it holds
 * password hashes, token hashes and every message.
 *
 * <p>Owner-only: the folder is created {@code rwx------}, an existing one is tightened to it, and the database's
 * files in it ({@code presence.*}) to {@code rw-------}, again after the database has made its own (they follow
 * the umask). Other files are left alone (the folder might be one the operator also uses for other things);
 * they, and files made later, are out of reach anyway inside a folder no one else may enter.
 *
 * <p>One server: a lock on {@code presence.lock} in the folder, held for the server's life, so a second
 * server on the same folder stops at once with a message naming the folder (the database's own file lock
 * would only say so in a long stack trace). The operating system drops the lock when the process dies, even
 * by {@code kill -9}, so a crash never leaves the folder locked.
 */
final class DataDirectory implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DataDirectory.class);
    static final String LOCK_FILE = "presence.lock";
    static final Set<PosixFilePermission> FOLDER = PosixFilePermissions.fromString("rwx------");
    static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

    private final Path path;
    private final FileChannel lockChannel;
    private final FileLock lock;

    private DataDirectory(Path path, FileChannel lockChannel, FileLock lock) {
        this.path = path;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /** Creates or tightens the folder and locks it for this server. */
    static DataDirectory open(Path folder) throws StartupException {
        Path path = folder.toAbsolutePath().normalize();
        boolean posix = path.getFileSystem().supportedFileAttributeViews().contains("posix");
        try {
            if (!Files.isDirectory(path)) {
                if (path.getParent() != null) {
                    Files.createDirectories(path.getParent());
                }
                if (posix) {
                    Files.createDirectory(path, PosixFilePermissions.asFileAttribute(FOLDER));
                } else {
                    Files.createDirectory(path); // its file system has access rules of its own
                }
            }
        } catch (IOException e) {
            throw new StartupException("cannot create the data folder " + folder + " (" + reason(e) + "): give a"
                    + " folder this user may write with --data-dir", e);
        }
        DataDirectory opened = lock(folder, path);
        if (posix) {
            opened.tighten();
        }
        return opened;
    }

    private static DataDirectory lock(Path folder, Path path) throws StartupException {
        FileChannel channel = null;
        try {
            channel = FileChannel.open(path.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock == null) {
                throw inUse(folder, null);
            }
            return new DataDirectory(path, channel, lock);
        } catch (OverlappingFileLockException e) {
            closeQuietly(channel);
            throw inUse(folder, e); // a server in this same process holds it
        } catch (StartupException e) {
            closeQuietly(channel);
            throw e;
        } catch (IOException e) {
            closeQuietly(channel);
            throw new StartupException("cannot lock the data folder " + folder + " (" + reason(e) + "): give a"
                    + " folder this user may write with --data-dir", e);
        }
    }

    static StartupException inUse(Path folder, Throwable cause) {
        return new StartupException("the data folder " + folder + " is in use by another presence server: stop"
                + " that server, or give this one another folder with --data-dir", cause);
    }

    /** The database is open in a process that does not take {@link #LOCK_FILE} (an older server, a SQL shell). */
    static StartupException databaseInUse(Path folder, Throwable cause) {
        return new StartupException("the database in the data folder " + folder + " is open in another process"
                + " (another presence server, or a database tool): stop it, or give this server another folder"
                + " with --data-dir", cause);
    }

    /**
     * Owner-only: the folder and the database's files in it (again after the database has made its own). A
     * folder this user does not own cannot be changed: that is said, and the server runs on.
     */
    void tighten() {
        if (!path.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return;
        }
        try {
            restrict(path, FOLDER);
            try (Stream<Path> entries = Files.list(path)) {
                for (Path entry : (Iterable<Path>) entries::iterator) {
                    if (entry.getFileName().toString().startsWith("presence")
                            && Files.isRegularFile(entry, LinkOption.NOFOLLOW_LINKS)) {
                        restrict(entry, FILE);
                    }
                }
            }
        } catch (IOException e) {
            log.warn("Could not make {} readable by its owner only ({}): others on this machine may read it",
                    path, reason(e));
        }
    }

    private static void restrict(Path path, Set<PosixFilePermission> wanted) throws IOException {
        Set<PosixFilePermission> current = Files.getPosixFilePermissions(path);
        if (!current.equals(wanted)) {
            Files.setPosixFilePermissions(path, wanted);
            // a folder that was open to others is worth a line; the database's new files always need it
            if (Files.isDirectory(path)) {
                log.info("Made {} accessible to its owner only ({} → {})", path,
                        PosixFilePermissions.toString(current), PosixFilePermissions.toString(wanted));
            } else {
                log.debug("Made {} readable by its owner only ({} → {})", path,
                        PosixFilePermissions.toString(current), PosixFilePermissions.toString(wanted));
            }
        }
    }

    private static String reason(IOException e) {
        if (e instanceof FileSystemException fs && fs.getReason() != null) {
            return fs.getReason().toLowerCase(java.util.Locale.ROOT);
        }
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing was locked
            }
        }
    }

    /** Releases the lock; the next server may use the folder. */
    @Override
    public void close() {
        try {
            lock.release();
            lockChannel.close();
        } catch (IOException e) {
            log.warn("Could not release the lock on {}: {}", path, e.getMessage());
        }
    }
}
