package dev.presence.server;

import dev.presence.server.config.ServerConfig;
import dev.presence.server.support.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The embedded database's folder: owner-only, and one server at a time. */
class DataDirectoryTest {

    @TempDir
    Path parent;

    private static String permissions(Path path) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }

    private static List<Path> databaseFiles(Path folder) throws Exception {
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(f -> f.getFileName().toString().startsWith("presence")).toList();
        }
    }

    @Test
    void aNewFolderAndTheDatabaseFilesAreTheOwnersOnly() throws Exception {
        Path folder = parent.resolve("new").resolve("data");
        try (TestServer server = TestServer.create().shortHeartbeat().dataDir(folder).start()) {
            server.api().signUp("ann");
            assertThat(permissions(folder)).isEqualTo("rwx------");
            assertThat(databaseFiles(folder)).isNotEmpty().anySatisfy(f -> assertThat(f.toString()).endsWith(".mv.db"));
            for (Path file : databaseFiles(folder)) {
                assertThat(permissions(file)).as(file.toString()).isEqualTo("rw-------");
            }
        }
    }

    @Test
    void anExistingFolderOpenToOthersIsTightenedButOtherFilesInItAreLeftAlone() throws Exception {
        Path folder = parent.resolve("data");
        try (TestServer server = TestServer.create().shortHeartbeat().dataDir(folder).start()) {
            server.api().signUp("ann");
        }
        Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxr-xr-x"));
        for (Path file : databaseFiles(folder)) {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        }
        Path script = Files.writeString(folder.resolve("backup.sh"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));

        try (TestServer server = TestServer.create().shortHeartbeat().dataDir(folder).start()) {
            assertThat(server.api().post("/api/sessions", null, "{\"username\":\"ann\",\"password\":\"secret-pass\"}")
                    .status()).isEqualTo(201);
            assertThat(permissions(folder)).isEqualTo("rwx------");
            for (Path file : databaseFiles(folder)) {
                assertThat(permissions(file)).as(file.toString()).isEqualTo("rw-------");
            }
            assertThat(permissions(script)).isEqualTo("rwxr-xr-x");
        }
    }

    @Test
    void aSecondServerOnTheSameFolderIsRefusedWithAMessageNamingItAndTheFirstKeepsRunning() throws Exception {
        Path folder = parent.resolve("data");
        try (TestServer first = TestServer.create().shortHeartbeat().dataDir(folder).start()) {
            ServerConfig config = ServerConfig.defaults().with(b -> b.port(0).dataDir(folder));
            assertThatThrownBy(() -> PresenceServer.start(config)).isInstanceOf(StartupException.class)
                    .hasMessageContaining(folder.toString()).hasMessageContaining("in use by another presence server")
                    .hasMessageContaining("--data-dir");
            assertThat(first.api().get("/health", null).status()).isEqualTo(200);
            first.api().signUp("ann");
        }
        // released on close: the next server may have it
        try (TestServer next = TestServer.create().shortHeartbeat().dataDir(folder).start()) {
            assertThat(next.api().post("/api/sessions", null, "{\"username\":\"ann\",\"password\":\"secret-pass\"}")
                    .status()).isEqualTo(201);
        }
    }
}
