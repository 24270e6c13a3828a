package dev.presence.client.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;

/**
 * Keeps the CLI's bearer token in a file readable by the user alone ({@code rw-------}, in a {@code rwx------}
 * directory). The file is written through a temporary file created with those permissions from the start, so the
 * token is never readable by others, not even for a moment.
 */
final class TokenStore {

    private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> DIR = PosixFilePermissions.fromString("rwx------");

    private final Path file;

    TokenStore(Path file) {
        this.file = file.toAbsolutePath();
    }

    /** {@code ~/.presence/token} */
    static Path defaultPath() {
        return Path.of(System.getProperty("user.home"), ".presence", "token");
    }

    Path path() {
        return file;
    }

    void save(String token) throws IOException {
        Path dir = file.getParent();
        boolean posix = dir.getFileSystem().supportedFileAttributeViews().contains("posix");
        if (!Files.isDirectory(dir)) {
            try {
                if (posix) {
                    Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(DIR));
                } else {
                    Files.createDirectories(dir);
                }
            } catch (FileAlreadyExistsException ignored) {
                // created concurrently
            }
        }
        FileAttribute<?>[] attributes = posix
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(FILE)} : new FileAttribute<?>[0];
        Path temp = Files.createTempFile(dir, ".token", ".tmp", attributes);
        try {
            Files.writeString(temp, token + "\n", StandardCharsets.UTF_8);
            try {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            if (posix) {
                Files.setPosixFilePermissions(file, FILE);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    Optional<String> load() throws IOException {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        String token = Files.readString(file, StandardCharsets.UTF_8).trim();
        return token.isEmpty() ? Optional.empty() : Optional.of(token);
    }

    void delete() throws IOException {
        Files.deleteIfExists(file);
    }
}
