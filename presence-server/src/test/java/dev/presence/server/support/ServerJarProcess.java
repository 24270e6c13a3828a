package dev.presence.server.support;

import java.io.BufferedReader;
import java.io.InputStreamReader;
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

import static org.awaitility.Awaitility.await;

/**
 * The packaged server jar ({@code target/presence-server.jar}) as a child process, for tests that kill it with
 * SIGKILL and start it again over the same data. Each start picks a new random port.
 */
public final class ServerJarProcess implements AutoCloseable {

    private static final Pattern LISTENING = Pattern.compile("Listening on (http://[0-9.]+:\\d+)");

    private final List<String> command = new ArrayList<>();
    private final List<String> output = new CopyOnWriteArrayList<>();
    private Process process;
    private URI base;

    /**
     * A test that restarts the server many times: C1 only and the serial collector start the JVM in about half
     * the CPU time, and what such a test checks does not depend on the optimising compiler.
     */
    public static final List<String> QUICK_START = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

    /**
     * @param options server options after {@code --port 0 --data-dir <dataDir>}, e.g. {@code --db-url}; a
     *                {@code --port} among them replaces the random one (a node behind a load balancer)
     */
    public ServerJarProcess(Path dataDir, String... options) {
        this(List.of(), dataDir, options);
    }

    /**
     * @param jvmOptions options of the {@code java} command, e.g. {@link #QUICK_START}
     * @param options    server options after {@code --port 0 --data-dir <dataDir>}, e.g. {@code --db-url}
     */
    public ServerJarProcess(List<String> jvmOptions, Path dataDir, String... options) {
        Path jar = Path.of("target", "presence-server.jar").toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("no " + jar + ": run the *IT tests with verify, after package");
        }
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar.toString()));
        if (!List.of(options).contains("--port")) {
            command.addAll(List.of("--port", "0"));
        }
        command.addAll(List.of("--data-dir", dataDir.toString()));
        command.addAll(List.of(options));
    }

    /** Starts the server and returns once it listens. */
    public ServerJarProcess start() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("already running");
        }
        output.clear();
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        Process started = process;
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(started.getInputStream(),
                    StandardCharsets.UTF_8))) {
                in.lines().forEach(output::add);
            } catch (Exception ignored) {
                // the process ended
            }
        }, "server-output");
        reader.setDaemon(true);
        reader.start();
        await().atMost(Duration.ofSeconds(90)).until(() -> listening() != null || !started.isAlive());
        String url = listening();
        if (url == null) {
            throw new IllegalStateException("the server did not start:\n" + String.join("\n", output));
        }
        base = URI.create(url);
        return this;
    }

    private String listening() {
        for (String line : output) {
            Matcher m = LISTENING.matcher(line);
            if (m.find()) {
                return m.group(1);
            }
        }
        return null;
    }

    /** SIGKILL, as a crash: no shutdown hook runs, nothing is flushed or closed by the process. */
    public void kill9() {
        process.destroyForcibly(); // SIGKILL on Linux
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the server did not die within 30 s of SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * SIGTERM, as a service manager stops it: waits until the process has exited (a clean stop, exit code 0).
     *
     * @return the exit code
     */
    public int terminate() {
        process.destroy(); // SIGTERM on Linux
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the server did not stop within 60 s of SIGTERM:\n"
                        + String.join("\n", output));
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    public URI base() {
        return base;
    }

    public URI ws() {
        return URI.create("ws://" + base.getAuthority() + "/ws");
    }

    public Api api() {
        return new Api(base);
    }

    /** What the server printed since its last start. */
    public List<String> output() {
        return List.copyOf(output);
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            kill9();
        }
    }
}
