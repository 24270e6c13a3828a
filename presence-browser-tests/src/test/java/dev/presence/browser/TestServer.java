package dev.presence.browser;

import dev.presence.server.PresenceServer;
import dev.presence.server.config.ServerConfig;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The server the browsers talk to: started in-process with short heartbeats, so that a dead network is
 * noticed within {@link #INTERVAL} + {@link #TIMEOUT}. With {@code -Dpresence.baseUri=http://host:port} the
 * tests use a server that is already running instead (it must use the same heartbeat settings).
 */
final class TestServer implements AutoCloseable {

    static final Duration INTERVAL = Duration.ofSeconds(1);
    static final Duration TIMEOUT = Duration.ofSeconds(1);
    static final Duration OFFLINE_GRACE = Duration.ofMillis(300);

    private PresenceServer server;
    private final ServerConfig config;
    private final URI base;

    private TestServer(PresenceServer server, ServerConfig config, URI base) {
        this.server = server;
        this.config = config;
        this.base = base;
    }

    static TestServer start() throws Exception {
        String external = System.getProperty("presence.baseUri", "");
        if (!external.isBlank()) {
            return new TestServer(null, null, URI.create(external));
        }
        Path dataDir = Files.createTempDirectory(Files.createDirectories(Browsers.TARGET.resolve("data")), "server-");
        ServerConfig config = ServerConfig.defaults().with(b -> b
                .host("127.0.0.1")
                .port(0)
                .dataDir(dataDir)
                .heartbeat(INTERVAL, TIMEOUT)
                .offlineGrace(OFFLINE_GRACE));
        PresenceServer server = PresenceServer.start(config);
        return new TestServer(server, config.with(b -> b.port(server.port())), server.httpUri());
    }

    /** Whether {@link #restart()} is possible (not with an external server). */
    boolean restartable() {
        return server != null;
    }

    /** Stops the server (clients get 1012) and starts it again on the same port with the same data. */
    void restart() throws Exception {
        server.close();
        server = PresenceServer.start(config);
    }

    /** {@code http://127.0.0.1:port} */
    URI base() {
        return base;
    }

    int port() {
        return base.getPort();
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
    }
}
