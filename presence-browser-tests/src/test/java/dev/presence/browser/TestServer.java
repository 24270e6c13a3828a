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

    private final PresenceServer server;
    private final URI base;

    private TestServer(PresenceServer server, URI base) {
        this.server = server;
        this.base = base;
    }

    static TestServer start() throws Exception {
        String external = System.getProperty("presence.baseUri", "");
        if (!external.isBlank()) {
            return new TestServer(null, URI.create(external));
        }
        Path dataDir = Files.createTempDirectory(Files.createDirectories(Browsers.TARGET.resolve("data")), "server-");
        PresenceServer server = PresenceServer.start(ServerConfig.defaults()
                .withHost("127.0.0.1")
                .withPort(0)
                .withDataDir(dataDir)
                .withHeartbeat(INTERVAL, TIMEOUT)
                .withOfflineGrace(OFFLINE_GRACE));
        return new TestServer(server, server.httpUri());
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
