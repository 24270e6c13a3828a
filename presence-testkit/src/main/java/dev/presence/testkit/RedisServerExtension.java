package dev.presence.testkit;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.opentest4j.TestAbortedException;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * A private {@code redis-server} for a test class, on a free port, without persistence, never the shared one:
 * {@code @RegisterExtension static final RedisServerExtension redis = new RedisServerExtension();}. Tests can
 * stop it and start it again on the same port (an outage: it comes back empty, as a Redis without persistence
 * does). Without {@code /usr/bin/redis-server} the tests are skipped, unless {@code CI=true}: then they fail.
 */
public final class RedisServerExtension implements BeforeAllCallback, AfterAllCallback {

    private static final String BINARY = "/usr/bin/redis-server";

    private int port;
    private Process process;
    private Path log;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        if (!new File(BINARY).canExecute()) {
            String message = BINARY + " is missing: install Debian's redis-server to run the cluster tests";
            if ("true".equals(System.getenv("CI"))) {
                throw new IllegalStateException(message);
            }
            throw new TestAbortedException(message);
        }
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        log = Files.createTempFile("redis-" + port + "-", ".log");
        // a test JVM that exits without afterAll (interrupted) must not leave the server behind
        Runtime.getRuntime().addShutdownHook(new Thread(this::stop, "stop-redis-" + port));
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        stop();
    }

    public int port() {
        return port;
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    /** Starts the server (again) on its port and waits until it accepts connections. */
    public synchronized void start() {
        if (process != null) {
            return;
        }
        try {
            process = new ProcessBuilder(BINARY, "--port", Integer.toString(port), "--bind", "127.0.0.1",
                    "--save", "", "--appendonly", "no", "--daemonize", "no")
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        await("redis-server on port " + port).atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
                .until(this::accepts);
    }

    /** Stops the server (its data is gone) and waits until it has exited. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    private boolean accepts() {
        if (!process.isAlive()) {
            throw new IllegalStateException("redis-server exited; see " + log);
        }
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
