package dev.presence.server.support;

import dev.presence.server.PresenceServer;
import dev.presence.server.config.ServerConfig;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A real presence server for tests, in this JVM: the embedded database in a fresh temporary folder, a free port
 * on loopback, and the documented defaults except where the test changes them ({@link #with},
 * {@link #shortHeartbeat()}). The tests of every module start their servers through it (it is in
 * {@code presence-server}'s test-jar).
 *
 * <p>As a JUnit 5 extension, where its field lives decides how long the server does:
 * <pre>{@code
 * @RegisterExtension
 * final TestServer server = TestServer.create().shortHeartbeat();  // a new server over new data for each test
 *
 * @RegisterExtension
 * static final TestServer server = TestServer.create();            // one server for all tests of the class
 * }</pre>
 * Tests that need a server configured inside the test start one by hand:
 * {@code try (TestServer server = TestServer.create().with(b -> b.maxConnections(3)).start()) { ... }}.
 *
 * <p>{@link #restart()}, or {@link #stop()} then {@link #start()}, brings the server back on the same port over the
 * same data, so clients reconnect to the address they had. {@link #close()} ends its life: the folder it made is
 * deleted, and a later {@link #start()} is a new server over new data.
 */
public final class TestServer implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback,
        AutoCloseable {

    /** {@link #shortHeartbeat()}: a silent connection is dead after 800 ms. */
    public static final Duration SHORT_INTERVAL = Duration.ofMillis(400);
    public static final Duration SHORT_TIMEOUT = Duration.ofMillis(400);
    public static final Duration SHORT_GRACE = Duration.ofMillis(1500);
    public static final Duration SHORT_HELLO_TIMEOUT = Duration.ofSeconds(1);

    private Consumer<ServerConfig.Builder> changes = b -> { };
    private Path chosenDataDir;
    private URI external;

    /** How many test classes (a class and its nested ones) hold it as a static extension right now. */
    private int classes;
    private Path dataDir;
    private boolean madeDataDir;
    /** 0 until the first start; then kept, so that a restart binds the same port. */
    private int port;
    private ServerConfig config;
    private PresenceServer server;
    private URI httpUri;
    private Api api;
    /** Probes opened through {@link #online}, closed with the server's life. */
    private final List<WsProbe> probes = new CopyOnWriteArrayList<>();

    private TestServer() {
    }

    /** A server with the documented defaults, a free port and a fresh data folder; not started yet. */
    public static TestServer create() {
        return new TestServer();
    }

    /** Adds changes to the configuration, applied from the next {@link #start()} on. */
    public TestServer with(Consumer<ServerConfig.Builder> more) {
        changes = changes.andThen(more);
        return this;
    }

    /**
     * Heartbeat 400 ms + 400 ms, offline grace 1.5 s, hello timeout 1 s: for tests that watch liveness at work, so
     * that they take seconds rather than half a minute.
     */
    public TestServer shortHeartbeat() {
        return with(b -> b.heartbeat(SHORT_INTERVAL, SHORT_TIMEOUT).offlineGrace(SHORT_GRACE)
                .helloTimeout(SHORT_HELLO_TIMEOUT));
    }

    /** Keeps the data in {@code folder} (made if missing, never deleted) instead of a fresh temporary one. */
    public TestServer dataDir(Path folder) {
        chosenDataDir = folder;
        return this;
    }

    /**
     * When {@code baseUri} is not blank ({@code http://host:port}), starts nothing: the tests talk to a server that is
     * already running there, and cannot restart it ({@link #isExternal()}).
     */
    public TestServer external(String baseUri) {
        external = baseUri == null || baseUri.isBlank() ? null : URI.create(baseUri);
        return this;
    }

    /** Whether the tests talk to a server started elsewhere (see {@link #external}). */
    public boolean isExternal() {
        return external != null;
    }

    /**
     * Starts the server: the first time over a fresh (or the chosen) data folder; after {@link #stop()}, again on
     * its port over its data.
     */
    public TestServer start() {
        if (isRunning()) {
            throw new IllegalStateException("the test server is already running on port " + port);
        }
        if (external != null) {
            httpUri = external;
            port = external.getPort();
            api = new Api(external);
            return this;
        }
        if (dataDir == null) {
            openDataDir();
        }
        ServerConfig wanted = ServerConfig.defaults().with(b -> b.port(0).dataDir(dataDir)).with(changes);
        if (port != 0) {
            wanted = wanted.with(b -> b.port(port));
        }
        try {
            server = PresenceServer.start(wanted);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("the test server did not start: " + e.getMessage(), e);
        }
        port = server.port();
        config = wanted.with(b -> b.port(port));
        httpUri = server.httpUri();
        api = new Api(httpUri);
        return this;
    }

    private void openDataDir() {
        try {
            if (chosenDataDir != null) {
                dataDir = chosenDataDir;
                madeDataDir = false;
            } else {
                dataDir = Files.createTempDirectory("presence-test-");
                madeDataDir = true;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops the server as a shutdown does (every WebSocket gets 1012); its port and data are kept for a restart. */
    public void stop() {
        requireOwnServer("stop");
        if (server != null) {
            server.close();
            server = null;
        }
    }

    /** Stops the server and starts it again on the same port over the same data. */
    public void restart() {
        stop();
        start();
    }

    /** Ends this server's life: probes, server, and the data folder if it made one. */
    @Override
    public void close() {
        probes.forEach(WsProbe::close);
        probes.clear();
        if (server != null) {
            server.close();
            server = null;
        }
        if (madeDataDir) {
            deleteRecursively(dataDir);
        }
        dataDir = null;
        madeDataDir = false;
        port = 0;
        config = null;
        httpUri = null;
        api = null;
    }

    private static void deleteRecursively(Path folder) {
        try (Stream<Path> files = Files.walk(folder)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a temporary folder left behind fails no test
        }
    }

    private void requireOwnServer(String what) {
        if (external != null) {
            throw new UnsupportedOperationException("cannot " + what + " an external server (" + external + ")");
        }
    }

    /** Whether the server is running (an external one: whether it has been "started"). */
    public boolean isRunning() {
        return external == null ? server != null : httpUri != null;
    }

    /** The configuration the server runs with, its bound port included. */
    public ServerConfig config() {
        requireStarted();
        requireOwnServer("configure");
        return config;
    }

    /** The folder of the embedded database and the status journal. */
    public Path dataDir() {
        requireStarted();
        requireOwnServer("look into");
        return dataDir;
    }

    /** The bound port; the same after a restart. */
    public int port() {
        requireStarted();
        return port;
    }

    /** {@code http://host:port} */
    public URI httpUri() {
        requireStarted();
        return httpUri;
    }

    /** {@code ws://host:port/ws} */
    public URI wsUri() {
        return URI.create("ws://" + httpUri().getHost() + ":" + port() + "/ws");
    }

    /** The WebSocket URI through another port on loopback (a proxy's). */
    public static URI wsAt(int port) {
        return URI.create("ws://127.0.0.1:" + port + "/ws");
    }

    /** An HTTP client of the API. */
    public Api api() {
        requireStarted();
        return api;
    }

    /** A WebSocket of {@code name}'s, welcomed; closed when the server's life ends. */
    public WsProbe online(String name, String token) {
        WsProbe probe = WsProbe.online(name, wsUri(), token);
        probes.add(probe);
        return probe;
    }

    private void requireStarted() {
        if (httpUri == null) {
            throw new IllegalStateException("the test server has not been started");
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (classes++ == 0) {
            start();
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (!isRunning()) {
            start(); // per test; or, per class, again after a test stopped it
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (classes == 0) {
            close();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (--classes == 0) {
            close();
        }
    }

    @Override
    public String toString() {
        return "TestServer " + (httpUri == null ? "(not started)" : httpUri) + (isExternal() ? " (external)" : "");
    }
}
