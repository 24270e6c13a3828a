package dev.presence.server.http;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The server API's keys ({@code --api-key-file}): one per line, blank lines and surrounding white space ignored,
 * each at least {@value #MIN_LENGTH} characters. Several keys allow rotation: add the new key, move the app over,
 * remove the old one. The file is read again when it changes (its modification time or size, looked at no more than
 * once a second, by the worker that checks a key); a changed file that is not usable is logged and the keys held
 * until then stay in force.
 *
 * <p>Keys are compared in constant time: the SHA-256 digest of the presented key against the digest of every key,
 * all of them, with {@link MessageDigest#isEqual}, so neither a key's length nor which key matched shows in the
 * time taken.
 */
public final class ApiKeys {

    /** Shorter keys are refused: they could be guessed. */
    public static final int MIN_LENGTH = 16;

    private static final Logger log = LoggerFactory.getLogger(ApiKeys.class);
    private static final long RECHECK_NANOS = 1_000_000_000L;

    /** The file is not usable; the message says why in one line. */
    public static final class UnusableFile extends Exception {
        UnusableFile(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private record Loaded(List<byte[]> digests, Object version) {
    }

    private final Path file;
    private final LongSupplier nanoTime;
    private final AtomicLong nextCheck;
    private volatile Loaded loaded;

    private ApiKeys(Path file, Loaded loaded, LongSupplier nanoTime) {
        this.file = file;
        this.loaded = loaded;
        this.nanoTime = nanoTime;
        this.nextCheck = new AtomicLong(nanoTime.getAsLong() + RECHECK_NANOS);
    }

    /**
     * Reads the keys at start.
     *
     * @throws UnusableFile if the file is missing, unreadable, holds no key or a key that is too short
     */
    public static ApiKeys load(Path file) throws UnusableFile {
        return load(file, System::nanoTime);
    }

    static ApiKeys load(Path file, LongSupplier nanoTime) throws UnusableFile {
        return new ApiKeys(file, read(file), nanoTime);
    }

    /**
     * Whether {@code key} is one of the keys. May read the file (when it has changed): call it on a worker, never
     * on an event loop.
     */
    public boolean accepts(String key) {
        reloadIfChanged();
        return matches(key);
    }

    /**
     * The same check without touching the file on this thread: if a look at the file is due, it is made on
     * {@code background} (for an event loop, which must not do file I/O); this call uses the keys read so far.
     */
    public boolean accepts(String key, Executor background) {
        if (reloadDue()) {
            try {
                background.execute(this::reloadIfChanged);
            } catch (RejectedExecutionException e) {
                // busy: a later call looks at the file
            }
        }
        return matches(key);
    }

    private boolean reloadDue() {
        return nanoTime.getAsLong() - nextCheck.get() >= 0;
    }

    private boolean matches(String key) {
        if (key == null) {
            return false;
        }
        byte[] presented = sha256(key.getBytes(StandardCharsets.UTF_8));
        boolean match = false;
        for (byte[] digest : loaded.digests()) {
            match |= MessageDigest.isEqual(digest, presented); // no early exit: every key is compared
        }
        return match;
    }

    private void reloadIfChanged() {
        long now = nanoTime.getAsLong();
        long due = nextCheck.get();
        if (now - due < 0 || !nextCheck.compareAndSet(due, now + RECHECK_NANOS)) {
            return; // looked at less than a second ago, or another worker is looking now
        }
        try {
            if (version(file).equals(loaded.version())) {
                return;
            }
            loaded = read(file);
            log.info("Server API keys read again from {}: {} key(s)", file, loaded.digests().size());
        } catch (IOException | UnusableFile e) {
            log.warn("Server API keys not read again ({}); the keys read before stay in force", e.getMessage());
        }
    }

    private static Loaded read(Path file) throws UnusableFile {
        Object version;
        List<String> lines;
        try {
            version = version(file);
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UnusableFile("--api-key-file " + file + " cannot be read (" + e.getClass().getSimpleName()
                    + "): give a readable file with one key per line", e);
        }
        List<byte[]> digests = new ArrayList<>();
        int lineNumber = 0;
        for (String line : lines) {
            lineNumber++;
            String key = line.strip();
            if (key.isEmpty()) {
                continue;
            }
            if (key.length() < MIN_LENGTH) {
                throw new UnusableFile("--api-key-file " + file + ": the key on line " + lineNumber
                        + " is shorter than " + MIN_LENGTH + " characters; use long random keys (e.g. openssl rand -hex 32)", null);
            }
            digests.add(sha256(key.getBytes(StandardCharsets.UTF_8)));
        }
        if (digests.isEmpty()) {
            throw new UnusableFile("--api-key-file " + file + " holds no key: put one key per line", null);
        }
        return new Loaded(List.copyOf(digests), version);
    }

    /** What tells a changed file: its modification time and size. */
    private static Object version(Path file) throws IOException {
        BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
        return List.of(attributes.lastModifiedTime(), attributes.size());
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
