package dev.presence.server;

import dev.presence.server.support.Api;
import dev.presence.server.support.Api.Account;
import dev.presence.server.support.WsProbe;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The packaged jar as the README runs it: starts, serves, stops cleanly on Ctrl-C (SIGINT) and on SIGTERM
 * (1012 to clients, exit 0), and says in one line why it cannot start.
 */
class ServerProcessIT {

    private static final Pattern LISTENING = Pattern.compile("Listening on (http://[0-9.]+:\\d+)");

    @TempDir
    Path dataDir;

    /** A server process with its output read as it comes. */
    private static final class Server implements AutoCloseable {
        final Process process;
        final List<String> stdout = new CopyOnWriteArrayList<>();
        final List<String> stderr = new CopyOnWriteArrayList<>();
        private final List<Thread> readers = new ArrayList<>();

        Server(String... args) throws IOException {
            List<String> command = new ArrayList<>(List.of(javaBinary(), "-jar",
                    Path.of("target", "presence-server.jar").toAbsolutePath().toString()));
            command.addAll(List.of(args));
            process = new ProcessBuilder(command).start();
            readers.add(read(process.getInputStream(), stdout));
            readers.add(read(process.getErrorStream(), stderr));
        }

        private static Thread read(InputStream stream, List<String> into) {
            Thread reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                    in.lines().forEach(into::add);
                } catch (IOException ignored) {
                    // the process ended
                }
            });
            reader.start();
            return reader;
        }

        URI awaitListening() {
            await().atMost(Duration.ofSeconds(60)).until(() -> stdout.stream().anyMatch(l -> LISTENING.matcher(l).find())
                    || !process.isAlive());
            Matcher m = stdout.stream().map(LISTENING::matcher).filter(Matcher::find).findFirst()
                    .orElseThrow(() -> new AssertionError("the server did not start: " + stdout + stderr));
            return URI.create(m.group(1));
        }

        int awaitExit() throws InterruptedException {
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the process ends").isTrue();
            for (Thread reader : readers) {
                reader.join(5_000);
            }
            return process.exitValue();
        }

        /** Through kill(1): Process.destroy() would also close our end of its output. */
        void signal(String name) throws Exception {
            new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start().waitFor();
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }

    private void stopsCleanlyOn(String signal) throws Exception {
        try (Server server = new Server("--port", "0", "--data-dir", dataDir.toString())) {
            URI base = server.awaitListening();
            if (signal.equals("INT")) {
                // a shell without job control starts background processes with SIGINT ignored, and the JVM
                // keeps it ignored (as it should): then there is no Ctrl-C to test
                Assumptions.assumeFalse(ignores(server.process.pid(), 2),
                        "SIGINT is ignored in this environment (started in the background without job control);"
                                + " run the build in the foreground to test Ctrl-C");
            }
            Api api = new Api(base);
            assertThat(api.get("/health", null).raw()).isEqualTo("{\"status\":\"ok\"}");
            Account ann = api.signUp("ann");
            WsProbe probe = WsProbe.online("ann", URI.create("ws://" + base.getAuthority() + "/ws"), ann.token());

            server.signal(signal);

            assertThat(probe.awaitClose()).isEqualTo(1012);
            assertThat(server.awaitExit()).as("exit code after SIG" + signal).isZero();
            assertThat(server.stdout).anyMatch(l -> l.contains("Stopped"));
            assertThat(server.stderr).isEmpty();
        }
    }

    /** Whether the process ignores the signal, from {@code SigIgn} of {@code /proc/<pid>/status}. */
    private static boolean ignores(long pid, int signal) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("SigIgn:")) {
                return (Long.parseLong(line.substring(7).trim(), 16) & (1L << (signal - 1))) != 0;
            }
        }
        return false;
    }

    @Test
    void theJarRunsAndStopsCleanlyOnSigterm() throws Exception {
        stopsCleanlyOn("TERM");
    }

    @Test
    void ctrlCIsSigintAndStopsItCleanlyToo() throws Exception {
        stopsCleanlyOn("INT");
    }

    @Test
    void aBadOptionStopsTheJarWithAClearMessage() throws Exception {
        try (Server server = new Server("--heartbeat-timeout", "0s", "--data-dir", dataDir.toString())) {
            assertThat(server.awaitExit()).isEqualTo(2);
            assertThat(String.join("\n", server.stderr)).contains("heartbeat timeout must be positive, not 0ms")
                    .doesNotContain("Exception");
        }
    }

    /** What a person must be told when the start fails: one line on stderr, exit 1, no stack trace anywhere. */
    private static void assertOneLineWithoutAStackTrace(Server server, String... mentions) throws Exception {
        assertThat(server.awaitExit()).isEqualTo(1);
        assertThat(server.stderr).hasSize(1);
        assertThat(server.stderr.get(0)).startsWith("presence-server: ").contains(mentions);
        assertThat(server.stdout).noneMatch(l -> l.contains("Exception") || l.startsWith("\tat "));
    }

    @Test
    void aPortInUseIsOneLineThatNamesIt() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
             Server server = new Server("--port", Integer.toString(taken.getLocalPort()), "--data-dir",
                     dataDir.toString())) {
            assertOneLineWithoutAStackTrace(server, "port " + taken.getLocalPort(), "already in use", "--port");
        }
    }

    @Test
    void aSecondServerOnTheSameDataFolderIsOneLineThatNamesIt() throws Exception {
        try (Server first = new Server("--port", "0", "--data-dir", dataDir.toString())) {
            URI base = first.awaitListening();
            try (Server second = new Server("--port", "0", "--data-dir", dataDir.toString())) {
                assertOneLineWithoutAStackTrace(second, dataDir.toString(), "in use by another presence server",
                        "--data-dir");
            }
            assertThat(new Api(base).get("/health", null).status()).as("the first one serves on").isEqualTo(200);
            first.signal("TERM");
            assertThat(first.awaitExit()).isZero();
        }
    }

    @Test
    void aDatabaseOpenInAnotherProcessIsOneLineThatNamesTheFolder() throws Exception {
        // an H2 shell holds the database file open (and locked) while it waits for input; it knows nothing of
        // presence.lock, as an older server would not
        Process shell = new ProcessBuilder(javaBinary(), "-cp", Path.of("target", "presence-server.jar")
                .toAbsolutePath().toString(), "org.h2.tools.Shell", "-url", "jdbc:h2:file:"
                + dataDir.toAbsolutePath().resolve("presence"), "-user", "", "-password", "")
                .redirectErrorStream(true).start();
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(dataDir.resolve("presence.mv.db")));
            try (Server server = new Server("--port", "0", "--data-dir", dataDir.toString())) {
                assertOneLineWithoutAStackTrace(server, dataDir.toString(), "open in another process",
                        "--data-dir");
            }
        } finally {
            shell.destroyForcibly();
            shell.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void dashVPrintsTheVersionOfTheBuild() throws Exception {
        String version = System.getProperty("presence.version");
        Assumptions.assumeTrue(version != null, "failsafe passes the build's version; run this with verify");
        assertThat(version).isNotBlank().doesNotContain("${");
        try (Server server = new Server("-V")) {
            assertThat(server.awaitExit()).isZero();
            assertThat(server.stdout).containsExactly("presence-server " + version);
        }
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
