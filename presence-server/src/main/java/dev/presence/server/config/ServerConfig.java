package dev.presence.server.config;

import dev.presence.server.webhook.WebhookSettings;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Everything a server needs to start. Built from the command line by {@link ServerCommand}, or directly by
 * tests: start from {@link #defaults()} and change what matters with {@link #with(Consumer)}.
 *
 * @param host                  interface to bind
 * @param port                  port to bind; 0 picks a free one
 * @param dataDir               where the embedded database lives
 * @param dbUrl                 JDBC URL of PostgreSQL, or empty for the embedded database
 * @param redisUrl              Redis of a cluster: setting it turns cluster mode on (needs {@code dbUrl})
 * @param nodeLease             in cluster mode, a node that has not renewed its lease for this long is dead
 * @param nodeId                this node's name in logs, {@code /health} and metrics; empty: host name + port
 * @param pageServers           WebSocket addresses ({@code ws://} or {@code wss://}) of the cluster's nodes that the
 *                              web page may connect to besides its own origin: written into the page and its
 *                              Content-Security-Policy; empty: the page's own origin only
 * @param drain                 on shutdown, connections are closed with 1012 spread over this long, so their
 *                              reconnects do not all arrive at the other nodes in one instant
 * @param heartbeatInterval     how often the server pings each connection
 * @param heartbeatTimeout      how much longer than an interval a silent connection is given before it is dead
 * @param offlineGrace          how long a connection lost without a close frame still counts as online
 * @param allowedOrigins        origins allowed to open WebSockets; empty means the server's own origin only
 * @param helloTimeout          how long a connection may wait before authenticating
 * @param maxConnections        connections (HTTP and WebSocket) held at once; beyond it new ones are refused at
 *                              once; 0 means what the process's open-file limit allows, less a reserve
 * @param tokenTtl              a login token expires this long after its last use
 * @param maxTokensPerUser      tokens a user holds at once; a new login revokes the oldest beyond it
 * @param maxPendingPerAddress  connections from one client address not yet authenticated (WebSocket) or
 *                              between requests (HTTP); more are refused at once
 * @param requestTimeout        an HTTP request (head and body) must arrive within it
 * @param keepAliveTimeout      an idle keep-alive HTTP connection is closed after it
 * @param metricsPort           0: {@code /metrics} on the main port; else only on this port, on 127.0.0.1
 * @param rateLimits            logins, messages and invitations (not flags; tests shorten them)
 * @param integration           the app's API keys and JWT keys (integration mode)
 * @param transport             {@code epoll} (this builder's default; the command line's is {@code io_uring}),
 *                              {@code io_uring} or {@code nio}; one not available here falls back to the next
 * @param webhooks              where status changes are POSTed ({@code --webhook-url}); empty: webhooks are off
 */
public record ServerConfig(String host, int port, Path dataDir, Optional<String> dbUrl, Optional<String> redisUrl,
                           Duration nodeLease, Optional<String> nodeId, Duration drain, List<String> pageServers,
                           Duration heartbeatInterval, Duration heartbeatTimeout, Duration offlineGrace,
                           List<String> allowedOrigins, Duration helloTimeout, int maxConnections,
                           Duration tokenTtl, int maxTokensPerUser, int maxPendingPerAddress,
                           Duration requestTimeout, Duration keepAliveTimeout, int metricsPort,
                           RateLimits rateLimits, Integration integration,
                           Optional<WebhookSettings> webhooks, String transport) {

    public ServerConfig {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("host must not be empty");
        }
        requirePort("port", port);
        if (redisUrl.isPresent() && dbUrl.isEmpty()) {
            throw new IllegalArgumentException("cluster mode (--redis-url) needs a database all nodes share:"
                    + " give --db-url jdbc:postgresql://...; the embedded database is one node's own");
        }
        if (redisUrl.isPresent() && !redisUrl.get().matches("rediss?://.+")) {
            throw new IllegalArgumentException("--redis-url must look like redis://host:port, not '"
                    + redisUrl.get() + "'");
        }
        requirePositive("node lease", nodeLease);
        pageServers = List.copyOf(pageServers);
        for (String server : pageServers) {
            // they go into a header and a page: a checked URL, no quotes, spaces or semicolons
            if (!server.matches("wss?://[A-Za-z0-9.\\-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~/\\-]*)?")) {
                throw new IllegalArgumentException("--page-servers takes ws:// or wss:// addresses such as"
                        + " wss://node1.example.com/ws, not '" + server + "'");
            }
        }
        if (drain == null || drain.isNegative()) {
            throw new IllegalArgumentException("drain must not be negative");
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
        requirePositive("token ttl", tokenTtl);
        if (maxTokensPerUser < 1) {
            throw new IllegalArgumentException("max tokens per user must be at least 1, not " + maxTokensPerUser);
        }
        if (maxPendingPerAddress < 1) {
            throw new IllegalArgumentException("max pending per address must be at least 1, not "
                    + maxPendingPerAddress);
        }
        requirePositive("request timeout", requestTimeout);
        requirePositive("keep-alive timeout", keepAliveTimeout);
        requirePort("metrics port", metricsPort);
        if (!List.of("epoll", "io_uring", "nio").contains(transport)) {
            throw new IllegalArgumentException("--transport must be epoll, io_uring or nio, not '" + transport + "'");
        }
        if (integration == null) {
            throw new IllegalArgumentException("integration must not be null (use Integration.none())");
        }
        if (rateLimits == null) {
            throw new IllegalArgumentException("rate limits must be given");
        }
        if (webhooks == null) {
            throw new IllegalArgumentException("webhooks must be given (empty: off)");
        }
    }

    private static void requirePositive(String what, Duration value) {
        if (value == null || value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException(what + " must be positive, not " + Durations.format(value));
        }
    }

    private static void requirePort(String what, int value) {
        if (value < 0 || value > 65535) {
            throw new IllegalArgumentException(what + " must be between 0 and 65535, not " + value);
        }
    }

    /** The documented defaults (PROTOCOL.md, "Server options" and "Trust and hygiene"). */
    public static ServerConfig defaults() {
        return new Builder().build();
    }

    /** A copy with the changes {@code changes} makes to a builder that starts from this configuration. */
    public ServerConfig with(Consumer<Builder> changes) {
        Builder builder = new Builder(this);
        changes.accept(builder);
        return builder.build();
    }

    /** Builds a {@link ServerConfig}; every field starts at its documented default. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port = 8080;
        private Path dataDir = Path.of("data");
        private Optional<String> dbUrl = Optional.empty();
        private Optional<String> redisUrl = Optional.empty();
        private Duration nodeLease = Duration.ofSeconds(10);
        private Optional<String> nodeId = Optional.empty();
        private Duration drain = Duration.ofSeconds(2);
        private List<String> pageServers = List.of();
        private Duration heartbeatInterval = Duration.ofSeconds(20);
        private Duration heartbeatTimeout = Duration.ofSeconds(10);
        private Duration offlineGrace = Duration.ofSeconds(3);
        private List<String> allowedOrigins = List.of();
        private Duration helloTimeout = Duration.ofSeconds(10);
        private int maxConnections;
        private Duration tokenTtl = Duration.ofDays(30);
        private int maxTokensPerUser = 50;
        private int maxPendingPerAddress = 256;
        private Duration requestTimeout = Duration.ofSeconds(10);
        private Duration keepAliveTimeout = Duration.ofSeconds(60);
        private int metricsPort;
        private RateLimits rateLimits = RateLimits.defaults();
        private Integration integration = Integration.none();
        private String transport = "epoll";
        private Optional<WebhookSettings> webhooks = Optional.empty();

        public Builder() {
        }

        private Builder(ServerConfig c) {
            host = c.host;
            port = c.port;
            dataDir = c.dataDir;
            dbUrl = c.dbUrl;
            redisUrl = c.redisUrl;
            nodeLease = c.nodeLease;
            nodeId = c.nodeId;
            drain = c.drain;
            pageServers = c.pageServers;
            heartbeatInterval = c.heartbeatInterval;
            heartbeatTimeout = c.heartbeatTimeout;
            offlineGrace = c.offlineGrace;
            allowedOrigins = c.allowedOrigins;
            helloTimeout = c.helloTimeout;
            maxConnections = c.maxConnections;
            tokenTtl = c.tokenTtl;
            maxTokensPerUser = c.maxTokensPerUser;
            maxPendingPerAddress = c.maxPendingPerAddress;
            requestTimeout = c.requestTimeout;
            keepAliveTimeout = c.keepAliveTimeout;
            metricsPort = c.metricsPort;
            rateLimits = c.rateLimits;
            integration = c.integration;
            transport = c.transport;
            webhooks = c.webhooks;
        }

        public Builder host(String value) {
            host = value;
            return this;
        }

        public Builder port(int value) {
            port = value;
            return this;
        }

        public Builder dataDir(Path value) {
            dataDir = value;
            return this;
        }

        public Builder dbUrl(String value) {
            dbUrl = Optional.ofNullable(value).filter(s -> !s.isBlank());
            return this;
        }

        public Builder redisUrl(String value) {
            redisUrl = Optional.ofNullable(value).filter(s -> !s.isBlank());
            return this;
        }

        public Builder nodeLease(Duration value) {
            nodeLease = value;
            return this;
        }

        public Builder nodeId(String value) {
            nodeId = Optional.ofNullable(value).filter(s -> !s.isBlank());
            return this;
        }

        public Builder pageServers(List<String> value) {
            pageServers = value;
            return this;
        }

        public Builder drain(Duration value) {
            drain = value;
            return this;
        }

        public Builder heartbeat(Duration interval, Duration timeout) {
            heartbeatInterval = interval;
            heartbeatTimeout = timeout;
            return this;
        }

        public Builder offlineGrace(Duration value) {
            offlineGrace = value;
            return this;
        }

        public Builder allowedOrigins(List<String> value) {
            allowedOrigins = value;
            return this;
        }

        public Builder helloTimeout(Duration value) {
            helloTimeout = value;
            return this;
        }

        public Builder maxConnections(int value) {
            maxConnections = value;
            return this;
        }

        public Builder tokenTtl(Duration value) {
            tokenTtl = value;
            return this;
        }

        public Builder maxTokensPerUser(int value) {
            maxTokensPerUser = value;
            return this;
        }

        public Builder maxPendingPerAddress(int value) {
            maxPendingPerAddress = value;
            return this;
        }

        public Builder requestTimeout(Duration value) {
            requestTimeout = value;
            return this;
        }

        public Builder keepAliveTimeout(Duration value) {
            keepAliveTimeout = value;
            return this;
        }

        public Builder metricsPort(int value) {
            metricsPort = value;
            return this;
        }

        /** Webhooks on (null: off). */
        public Builder webhooks(WebhookSettings value) {
            webhooks = Optional.ofNullable(value);
            return this;
        }

        public Builder rateLimits(RateLimits value) {
            rateLimits = value;
            return this;
        }

        /** @throws IllegalArgumentException with a message for a person when a value is out of range */
        public Builder transport(String value) {
            transport = value;
            return this;
        }

        public Builder integration(Integration value) {
            integration = value;
            return this;
        }

        public Builder apiKeyFile(Path file) {
            integration = integration.withApiKeyFile(file);
            return this;
        }

        public Builder jwtSecretFile(Path file) {
            integration = integration.withJwtSecretFile(file);
            return this;
        }

        public Builder jwtPublicKeyFile(Path file) {
            integration = integration.withJwtPublicKeyFile(file);
            return this;
        }

        public ServerConfig build() {
            return new ServerConfig(host, port, dataDir, dbUrl, redisUrl, nodeLease, nodeId, drain, pageServers, heartbeatInterval, heartbeatTimeout,
                    offlineGrace, allowedOrigins, helloTimeout, maxConnections, tokenTtl, maxTokensPerUser,
                    maxPendingPerAddress, requestTimeout, keepAliveTimeout, metricsPort, rateLimits, integration,
                    webhooks, transport);
        }
    }
}
