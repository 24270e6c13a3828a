package dev.presence.server.support;

import dev.presence.server.PresenceServer;
import dev.presence.server.config.ServerConfig;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.net.URI;
import java.nio.file.Files;
import java.util.Comparator;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.UnaryOperator;

/**
 * A real server on a random port with short intervals, for tests: either opened by hand (try-with-resources)
 * or, from {@link #perTest()}, registered with {@code @RegisterExtension} to run a fresh server with fresh
 * data around each test.
 */
public final class ServerFixture implements AutoCloseable, BeforeEachCallback, AfterEachCallback {

    public static final Duration INTERVAL = Duration.ofMillis(400);
    public static final Duration TIMEOUT = Duration.ofMillis(400);
    public static final Duration GRACE = Duration.ofMillis(1500);

    private Path dataDir;
    private final UnaryOperator<ServerConfig> tweak;
    private PresenceServer server;
    public Api api;
    /** Probes opened through {@link #online}, closed with the server. */
    private final java.util.List<WsProbe> probes = new java.util.ArrayList<>();

    public ServerFixture(Path dataDir) {
        this(dataDir, UnaryOperator.identity());
    }

    public ServerFixture(Path dataDir, UnaryOperator<ServerConfig> tweak) {
        this.dataDir = dataDir;
        this.tweak = tweak;
        start();
    }

    private ServerFixture() {
        this.tweak = UnaryOperator.identity();
    }

    /** A fixture for {@code @RegisterExtension}: a new server over new data for each test. */
    public static ServerFixture perTest() {
        return new ServerFixture();
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        dataDir = Files.createTempDirectory("presence-test");
        start();
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        close();
        try (var files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    public static ServerConfig testConfig(Path dataDir) {
        return ServerConfig.defaults().with(b -> b.port(0).dataDir(dataDir).heartbeat(INTERVAL, TIMEOUT)
                .offlineGrace(GRACE).helloTimeout(Duration.ofSeconds(1)));
    }

    /** Starts (again, after {@link #stop()}), on a new random port, over the same data. */
    public void start() {
        try {
            server = PresenceServer.start(tweak.apply(testConfig(dataDir)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        api = new Api(server.httpUri());
    }

    public void stop() {
        server.close();
    }

    public int port() {
        return server.port();
    }

    public URI ws() {
        return server.wsUri();
    }

    /** The WebSocket URI through another port on loopback (a proxy's). */
    public static URI wsAt(int port) {
        return URI.create("ws://127.0.0.1:" + port + "/ws");
    }

    /** A WebSocket of {@code name}'s, welcomed; closed when the fixture closes (after each test). */
    public WsProbe online(String name, String token) {
        WsProbe probe = WsProbe.online(name, ws(), token);
        probes.add(probe);
        return probe;
    }

    @Override
    public void close() {
        probes.forEach(WsProbe::close);
        probes.clear();
        server.close();
    }
}
