package dev.presence.server.config;

import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;

import dev.presence.server.webhook.WebhookSettings;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * The server's options (PROTOCOL.md, "Server options"): each a flag and a {@code PRESENCE_*} environment
 * variable; a flag wins over its variable.
 */
@Command(name = "presence-server", mixinStandardHelpOptions = true, versionProvider = BuildVersion.class,
        description = "Real-time online status for chat apps: HTTP API, web page and WebSocket on one port.",
        sortOptions = false)
public final class ServerCommand {

    @Option(names = "--port", defaultValue = "${env:PRESENCE_PORT:-8080}", paramLabel = "PORT",
            description = "Port to listen on; 0 picks a free one (env PRESENCE_PORT, default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--host", defaultValue = "${env:PRESENCE_HOST:-127.0.0.1}", paramLabel = "HOST",
            description = "Interface to bind (env PRESENCE_HOST, default ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--data-dir", defaultValue = "${env:PRESENCE_DATA_DIR:-./data}", paramLabel = "DIR",
            description = "Folder of the embedded database (env PRESENCE_DATA_DIR, default ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--db-url", defaultValue = "${env:PRESENCE_DB_URL}", paramLabel = "JDBC_URL",
            description = "jdbc:postgresql://... to use PostgreSQL instead of the embedded database"
                    + " (env PRESENCE_DB_URL).")
    String dbUrl;

    @Option(names = "--redis-url", defaultValue = "${env:PRESENCE_REDIS_URL}", paramLabel = "URL",
            description = "redis://host:port of the Redis all nodes of a cluster share; turns cluster mode on"
                    + " and needs --db-url (env PRESENCE_REDIS_URL).")
    String redisUrl;

    @Option(names = "--node-lease", defaultValue = "${env:PRESENCE_NODE_LEASE:-10s}",
            converter = DurationConverter.class, paramLabel = "DURATION",
            description = "Cluster mode: a node that has not renewed its lease in Redis for this long is dead"
                    + " and its sessions end as lost connections (env PRESENCE_NODE_LEASE, default ${DEFAULT-VALUE}).")
    Duration nodeLease;

    @Option(names = "--node-id", defaultValue = "${env:PRESENCE_NODE_ID}", paramLabel = "NAME",
            description = "This node's name in logs, /health and metrics (env PRESENCE_NODE_ID, default: host"
                    + " name and port).")
    String nodeId;

    @Option(names = "--page-servers", defaultValue = "${env:PRESENCE_PAGE_SERVERS}", paramLabel = "URLS",
            description = "Comma-separated ws:// or wss:// addresses of the cluster's nodes the web page may use"
                    + " besides its own origin (env PRESENCE_PAGE_SERVERS).")
    String pageServers;

    @Option(names = "--drain", defaultValue = "${env:PRESENCE_DRAIN:-2s}",
            converter = DurationConverter.class, paramLabel = "DURATION",
            description = "On shutdown, connections are closed with 1012 spread over this long"
                    + " (env PRESENCE_DRAIN, default ${DEFAULT-VALUE}).")
    Duration drain;

    // --- integration mode: the app's own backend ---------------------------------------------------------

    @Option(names = "--api-key-file", defaultValue = "${env:PRESENCE_API_KEY_FILE}", paramLabel = "FILE",
            description = "Keys of the server API, one per line; several for rotation (env PRESENCE_API_KEY_FILE,"
                    + " default: none, the server API is off).")
    Path apiKeyFile;

    @Option(names = "--jwt-secret-file", defaultValue = "${env:PRESENCE_JWT_SECRET_FILE}", paramLabel = "FILE",
            description = "HS256 secret of the app's JWTs, at least 32 bytes (env PRESENCE_JWT_SECRET_FILE,"
                    + " default: none).")
    Path jwtSecretFile;

    @Option(names = "--jwt-public-key-file", defaultValue = "${env:PRESENCE_JWT_PUBLIC_KEY_FILE}",
            paramLabel = "FILE", description = "PEM public key (RS256 or ES256) of the app's JWTs"
                    + " (env PRESENCE_JWT_PUBLIC_KEY_FILE, default: none).")
    Path jwtPublicKeyFile;

    @Option(names = "--webhook-url", defaultValue = "${env:PRESENCE_WEBHOOK_URL}", paramLabel = "URL",
            description = "Every online/offline change is POSTed there, signed, at least once, in order per user"
                    + " (env PRESENCE_WEBHOOK_URL).")
    String webhookUrl;

    @Option(names = "--webhook-secret-file", defaultValue = "${env:PRESENCE_WEBHOOK_SECRET_FILE}", paramLabel = "FILE",
            description = "The HMAC-SHA256 key of the webhook signatures (the file's text, trimmed); required with"
                    + " --webhook-url (env PRESENCE_WEBHOOK_SECRET_FILE).")
    Path webhookSecretFile;

    // Hidden: tests of separate processes (a kill -9, a lease handover) need these short; production keeps the
    // defaults, which are not worth a documented flag.
    @Option(names = "--webhook-lease", hidden = true, converter = DurationConverter.class, paramLabel = "DURATION",
            description = "How long the sending node's webhook lease lasts without renewal (default 15s).")
    Duration webhookLease;

    @Option(names = "--webhook-max-retry", hidden = true, converter = DurationConverter.class,
            paramLabel = "DURATION", description = "The longest wait between two webhook attempts (default 5m).")
    Duration webhookMaxRetry;

    // io_uring measured 8-20 % less server CPU per delivery than epoll here (presence-bench README, "Transport")
    @Option(names = "--transport", defaultValue = "${env:PRESENCE_TRANSPORT:-io_uring}", paramLabel = "NAME",
            description = "Network transport: io_uring, epoll or nio; one this machine lacks falls back to the next"
                    + " (env PRESENCE_TRANSPORT, default ${DEFAULT-VALUE}).")
    String transport;

    @Option(names = "--heartbeat-interval", defaultValue = "${env:PRESENCE_HEARTBEAT_INTERVAL:-20s}",
            converter = DurationConverter.class, paramLabel = "DURATION",
            description = "How often the server pings each connection (env PRESENCE_HEARTBEAT_INTERVAL,"
                    + " default ${DEFAULT-VALUE}).")
    Duration heartbeatInterval;

    @Option(names = "--heartbeat-timeout", defaultValue = "${env:PRESENCE_HEARTBEAT_TIMEOUT:-10s}",
            converter = DurationConverter.class, paramLabel = "DURATION",
            description = "Extra silence after an interval before a connection is dead"
                    + " (env PRESENCE_HEARTBEAT_TIMEOUT, default ${DEFAULT-VALUE}).")
    Duration heartbeatTimeout;

    @Option(names = "--offline-grace", defaultValue = "${env:PRESENCE_OFFLINE_GRACE:-3s}",
            converter = DurationConverter.class, paramLabel = "DURATION",
            description = "How long a connection lost without a close frame still counts as online"
                    + " (env PRESENCE_OFFLINE_GRACE, default ${DEFAULT-VALUE}).")
    Duration offlineGrace;

    @Option(names = "--allowed-origins", defaultValue = "${env:PRESENCE_ALLOWED_ORIGINS}", paramLabel = "ORIGINS",
            description = "Comma-separated origins allowed to open WebSockets besides the server's own"
                    + " (env PRESENCE_ALLOWED_ORIGINS).")
    String allowedOrigins;

    @Option(names = "--max-connections", defaultValue = "${env:PRESENCE_MAX_CONNECTIONS:-0}", paramLabel = "N",
            description = "Connections held at once; more are refused at once instead of piling up at the"
                    + " open-file limit. 0: the open-file limit less a reserve (env PRESENCE_MAX_CONNECTIONS,"
                    + " default ${DEFAULT-VALUE}).")
    int maxConnections;

    @Option(names = "--token-ttl", defaultValue = "${env:PRESENCE_TOKEN_TTL:-30d}",
            converter = DurationConverter.class, paramLabel = "DURATION",
            description = "A login token expires this long after its last use (env PRESENCE_TOKEN_TTL,"
                    + " default ${DEFAULT-VALUE}).")
    Duration tokenTtl;

    @Option(names = "--max-tokens-per-user", defaultValue = "${env:PRESENCE_MAX_TOKENS_PER_USER:-50}",
            paramLabel = "N", description = "Tokens one user holds at once; a new login revokes the oldest"
                    + " (env PRESENCE_MAX_TOKENS_PER_USER, default ${DEFAULT-VALUE}).")
    int maxTokensPerUser;

    @Option(names = "--max-pending-per-address", defaultValue = "${env:PRESENCE_MAX_PENDING_PER_ADDRESS:-256}",
            paramLabel = "N", description = "Connections from one client address that have not yet"
                    + " authenticated (WebSocket) or completed a request (HTTP); more are refused at once"
                    + " (env PRESENCE_MAX_PENDING_PER_ADDRESS, default ${DEFAULT-VALUE}).")
    int maxPendingPerAddress;

    @Option(names = "--request-timeout", defaultValue = "${env:PRESENCE_REQUEST_TIMEOUT:-10s}",
            converter = DurationConverter.class, paramLabel = "DURATION",
            description = "An HTTP request head and body must arrive within it; an idle keep-alive connection"
                    + " closes after 60 s (env PRESENCE_REQUEST_TIMEOUT, default ${DEFAULT-VALUE}).")
    Duration requestTimeout;

    @Option(names = "--metrics-port", defaultValue = "${env:PRESENCE_METRICS_PORT:-0}", paramLabel = "PORT",
            description = "0: /metrics on the main port; else only on this port, bound to 127.0.0.1"
                    + " (env PRESENCE_METRICS_PORT, default ${DEFAULT-VALUE}).")
    int metricsPort;

    /**
     * The validated configuration.
     *
     * @throws IllegalArgumentException with a message for a person when a value is out of range
     */
    public ServerConfig toConfig() {
        List<String> origins = split(allowedOrigins);
        if (dbUrl != null && !dbUrl.isBlank() && !dbUrl.startsWith("jdbc:")) {
            throw new IllegalArgumentException("--db-url must be a JDBC URL like"
                    + " jdbc:postgresql://127.0.0.1:5432/presence?user=presence, not '" + dbUrl + "'");
        }
        return new ServerConfig.Builder().host(host).port(port).dataDir(dataDir).dbUrl(dbUrl).redisUrl(redisUrl)
                .nodeLease(nodeLease).nodeId(nodeId).drain(drain).pageServers(split(pageServers))
                .heartbeat(heartbeatInterval, heartbeatTimeout).offlineGrace(offlineGrace).allowedOrigins(origins)
                .maxConnections(maxConnections).tokenTtl(tokenTtl).maxTokensPerUser(maxTokensPerUser)
                .maxPendingPerAddress(maxPendingPerAddress).requestTimeout(requestTimeout).metricsPort(metricsPort)
                .apiKeyFile(apiKeyFile).jwtSecretFile(jwtSecretFile).jwtPublicKeyFile(jwtPublicKeyFile)
                .webhooks(webhooks()).transport(transport)
                .build();
    }

    /** The webhook settings of the two flags; null when off. */
    private WebhookSettings webhooks() {
        boolean url = webhookUrl != null && !webhookUrl.isBlank();
        if (!url) {
            if (webhookSecretFile != null) {
                throw new IllegalArgumentException("--webhook-secret-file is given but --webhook-url is not");
            }
            return null;
        }
        if (webhookSecretFile == null) {
            throw new IllegalArgumentException("--webhook-url needs --webhook-secret-file (the key of the"
                    + " signatures)");
        }
        URI uri;
        try {
            uri = new URI(webhookUrl.trim());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("--webhook-url must be an http:// or https:// URL, not '"
                    + webhookUrl + "'");
        }
        String secret;
        try {
            secret = Files.readString(webhookSecretFile, StandardCharsets.UTF_8).trim();
        } catch (IOException | UncheckedIOException e) {
            throw new IllegalArgumentException("--webhook-secret-file " + webhookSecretFile + " cannot be read: "
                    + (e instanceof java.nio.file.NoSuchFileException ? "no such file" : e.getMessage()));
        }
        if (secret.isEmpty()) {
            throw new IllegalArgumentException("--webhook-secret-file " + webhookSecretFile + " is empty");
        }
        WebhookSettings settings = WebhookSettings.of(uri, secret.getBytes(StandardCharsets.UTF_8));
        if (webhookLease != null || webhookMaxRetry != null) {
            Duration maxRetry = webhookMaxRetry != null ? webhookMaxRetry : settings.maxRetry();
            settings = settings.withTimings(settings.requestTimeout(), settings.poll(),
                    maxRetry.compareTo(settings.firstRetry()) < 0 ? maxRetry : settings.firstRetry(), maxRetry,
                    settings.maxAge(), webhookLease != null ? webhookLease : settings.lease());
        }
        return settings;
    }

    /** A comma-separated list, blanks dropped. */
    private static List<String> split(String list) {
        return list == null || list.isBlank() ? List.of()
                : Arrays.stream(list.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    /** Parses {@code 500ms}, {@code 20s}, {@code 2m}. */
    static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            return Durations.parse(value);
        }
    }
}
