package dev.presence.server;

import dev.presence.server.config.ServerConfig;

import java.net.URI;

/**
 * A running presence server: HTTP API, web page and WebSocket gateway on one port.
 * (Skeleton: the implementation lands with the gateway.)
 */
public final class PresenceServer implements AutoCloseable {

    private final ServerConfig config;
    private final int port;

    private PresenceServer(ServerConfig config, int port) {
        this.config = config;
        this.port = port;
    }

    /** Opens the store, loads the membership index and binds; returns once the server accepts connections. */
    public static PresenceServer start(ServerConfig config) throws Exception {
        throw new UnsupportedOperationException("not yet");
    }

    /** The bound port (useful with port 0). */
    public int port() {
        return port;
    }

    /** {@code http://host:port} */
    public URI httpUri() {
        return URI.create("http://" + config.host() + ":" + port);
    }

    /** {@code ws://host:port/ws} */
    public URI wsUri() {
        return URI.create("ws://" + config.host() + ":" + port + "/ws");
    }

    /** Stops accepting, closes every WebSocket with 1012 and closes the store. */
    @Override
    public void close() {
    }
}
