package dev.presence.server.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Everything a server needs to start. Built from the command line by {@link ServerCommand}, or directly by
 * tests (start from {@link #defaults()} and change what matters).
 *
 * @param host              interface to bind
 * @param port              port to bind; 0 picks a free one
 * @param dataDir           where the embedded database lives
 * @param dbUrl             JDBC URL of PostgreSQL, or empty for the embedded database
 * @param redisUrl          cluster mode (not available yet: the server refuses to start with it)
 * @param heartbeatInterval how often the server pings each connection
 * @param heartbeatTimeout  how much longer than an interval a silent connection is given before it is dead
 * @param offlineGrace      how long a connection lost without a close frame still counts as online
 * @param allowedOrigins    origins allowed to open WebSockets; empty means the server's own origin only
 * @param helloTimeout      how long a connection may wait before authenticating
 * @param maxConnections    connections (HTTP and WebSocket) held at once; beyond it new ones are refused at
 *                          once; 0 means what the process's open-file limit allows, less a reserve
 */
public record ServerConfig(String host, int port, Path dataDir, Optional<String> dbUrl, Optional<String> redisUrl,
                           Duration heartbeatInterval, Duration heartbeatTimeout, Duration offlineGrace,
                           List<String> allowedOrigins, Duration helloTimeout, int maxConnections) {

    public ServerConfig {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("host must not be empty");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be between 0 and 65535, not " + port);
        }
        requirePositive("heartbeat interval", heartbeatInterval);
        requirePositive("heartbeat timeout", heartbeatTimeout);
        requirePositive("hello timeout", helloTimeout);
        if (offlineGrace == null || offlineGrace.isNegative()) {
            throw new IllegalArgumentException("offline grace must not be negative");
        }
        allowedOrigins = List.copyOf(allowedOrigins);
        if (maxConnections < 0) {
            throw new IllegalArgumentException("max connections must not be negative (0 means automatic), not "
                    + maxConnections);
        }
    }

    private static void requirePositive(String what, Duration value) {
        if (value == null || value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException(what + " must be positive, not " + Durations.format(value));
        }
    }

    /** The documented defaults (PROTOCOL.md, "Server options"). */
    public static ServerConfig defaults() {
        return new ServerConfig("127.0.0.1", 8080, Path.of("data"), Optional.empty(), Optional.empty(),
                Duration.ofSeconds(20), Duration.ofSeconds(10), Duration.ofSeconds(3), List.of(),
                Duration.ofSeconds(10), 0);
    }

    public ServerConfig withHost(String value) {
        return new ServerConfig(value, port, dataDir, dbUrl, redisUrl, heartbeatInterval, heartbeatTimeout,
                offlineGrace, allowedOrigins, helloTimeout, maxConnections);
    }

    public ServerConfig withPort(int value) {
        return new ServerConfig(host, value, dataDir, dbUrl, redisUrl, heartbeatInterval, heartbeatTimeout,
                offlineGrace, allowedOrigins, helloTimeout, maxConnections);
    }

    public ServerConfig withDataDir(Path value) {
        return new ServerConfig(host, port, value, dbUrl, redisUrl, heartbeatInterval, heartbeatTimeout,
                offlineGrace, allowedOrigins, helloTimeout, maxConnections);
    }

    public ServerConfig withDbUrl(String value) {
        return new ServerConfig(host, port, dataDir, Optional.ofNullable(value), redisUrl, heartbeatInterval,
                heartbeatTimeout, offlineGrace, allowedOrigins, helloTimeout, maxConnections);
    }

    public ServerConfig withRedisUrl(String value) {
        return new ServerConfig(host, port, dataDir, dbUrl, Optional.ofNullable(value), heartbeatInterval,
                heartbeatTimeout, offlineGrace, allowedOrigins, helloTimeout, maxConnections);
    }

    public ServerConfig withHeartbeat(Duration interval, Duration timeout) {
        return new ServerConfig(host, port, dataDir, dbUrl, redisUrl, interval, timeout, offlineGrace,
                allowedOrigins, helloTimeout, maxConnections);
    }

    public ServerConfig withOfflineGrace(Duration value) {
        return new ServerConfig(host, port, dataDir, dbUrl, redisUrl, heartbeatInterval, heartbeatTimeout, value,
                allowedOrigins, helloTimeout, maxConnections);
    }

    public ServerConfig withAllowedOrigins(List<String> value) {
        return new ServerConfig(host, port, dataDir, dbUrl, redisUrl, heartbeatInterval, heartbeatTimeout,
                offlineGrace, value, helloTimeout, maxConnections);
    }

    public ServerConfig withMaxConnections(int value) {
        return new ServerConfig(host, port, dataDir, dbUrl, redisUrl, heartbeatInterval, heartbeatTimeout,
                offlineGrace, allowedOrigins, helloTimeout, value);
    }

    public ServerConfig withHelloTimeout(Duration value) {
        return new ServerConfig(host, port, dataDir, dbUrl, redisUrl, heartbeatInterval, heartbeatTimeout,
                offlineGrace, allowedOrigins, value, maxConnections);
    }
}
