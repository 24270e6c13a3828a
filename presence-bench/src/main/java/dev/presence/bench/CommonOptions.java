package dev.presence.bench;

import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

/** Options every scenario takes. */
final class CommonOptions {

    @Option(names = "--quick", description = "Small N and short phases: checks the scenario works and its output"
            + " is well formed (CI), not its speed.")
    boolean quick;

    @Option(names = "--server-jar", paramLabel = "JAR", description = "The server to run (default: the"
            + " presence.server.jar property, else presence-server/target/presence-server.jar).")
    Path serverJar;

    @Option(names = "--results-dir", paramLabel = "DIR",
            description = "Where <scenario>-<date>.json (and plots) go (default bench/results; with --quick,"
                    + " target/bench-results, so smoke runs never leave files in the tracked results).")
    Path resultsDir;

    @Option(names = "--xmx", paramLabel = "SIZE", description = "Server -Xmx (default per scenario).")
    String xmx;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "0",
            description = "Server port; 0 picks a free one.")
    int port;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "2",
            description = "Event loops of the load generator (default ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--server-jvm-opt", paramLabel = "OPTION", description = "Extra JVM option for the server"
            + " process, repeatable, e.g. --server-jvm-opt=-XX:MaxHeapFreeRatio=20.")
    java.util.List<String> serverJvmOptions = new java.util.ArrayList<>();

    @Option(names = "--keep-data", description = "Keep the temporary data dir and server log.")
    boolean keepData;

    /** The results folder: as given, else the tracked {@code bench/results} for real runs only. */
    Path resultsDir() {
        if (resultsDir != null) {
            return resultsDir;
        }
        return quick ? Path.of("target", "bench-results") : Path.of("bench", "results");
    }

    Path serverJar() {
        if (serverJar != null) {
            return serverJar;
        }
        String prop = System.getProperty("presence.server.jar");
        if (prop != null) {
            return Path.of(prop);
        }
        Path local = Path.of("presence-server/target/presence-server.jar");
        if (Files.isRegularFile(local)) {
            return local;
        }
        return Path.of("../presence-server/target/presence-server.jar");
    }

    int freePort() throws IOException {
        if (port != 0) {
            return port;
        }
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
