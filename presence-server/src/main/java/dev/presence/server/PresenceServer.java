package dev.presence.server;

import dev.presence.core.LocalPresenceEngine;
import dev.presence.server.chat.Accounts;
import dev.presence.server.chat.AppEvents;
import dev.presence.server.chat.AppThreads;
import dev.presence.server.chat.AppUsers;
import dev.presence.server.chat.AppJwts;
import dev.presence.server.cluster.ClusterNode;
import dev.presence.server.chat.MembershipLocks;
import dev.presence.server.chat.Messages;
import dev.presence.server.chat.PasswordPool;
import dev.presence.server.chat.Statuses;
import dev.presence.server.chat.Threads;
import dev.presence.server.config.ServerConfig;
import dev.presence.server.protocol.CloseCodes;
import dev.presence.server.gateway.WebSocketGateway;
import dev.presence.server.http.ApiKeys;
import dev.presence.server.http.ApiRoutes;
import dev.presence.server.http.ServerApiRoutes;
import dev.presence.server.http.HttpHandler;
import dev.presence.server.http.NodeState;
import dev.presence.server.metrics.ServerMetrics;
import dev.presence.server.presence.HubLoop;
import dev.presence.server.presence.HubThread;
import dev.presence.server.presence.PresenceHub;
import dev.presence.server.presence.StatusJournal;
import dev.presence.server.store.JdbcChatStore;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import dev.presence.server.http.BoundedBodyAggregator;
import dev.presence.server.http.HttpTimeouts;
import dev.presence.server.http.MetricsEndpoint;
import dev.presence.server.web.PendingConnections;
import dev.presence.server.webhook.WebhookDispatcher;
import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.sql.SQLException;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A running presence server: HTTP API, web page and WebSocket gateway on one port, over the chat store.
 */
public final class PresenceServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PresenceServer.class);
    private static final int MAX_HTTP_BODY = 64 * 1024;
    /**
     * Reads of up to 4 KiB (a client's frames and requests are small; a 64 KiB API body takes 16 reads), and the 16
     * reads per pass Netty gives a stream channel. One allocator for all connections, each with its own small
     * handle: Netty's default is an adaptive allocator per channel whose allocator, handle and size calculator
     * cost each idle session 128 bytes of heap, for sizing buffers that are pooled and given back after each read.
     */
    private static final RecvByteBufAllocator RECV_ALLOCATOR =
            new FixedRecvByteBufAllocator(4096).maxMessagesPerRead(16);
    /** {@code --metrics-port} listens on loopback only: metrics are for a local agent, not the world. */
    private static final String METRICS_HOST = "127.0.0.1";
    private static final int H2_DATABASE_ALREADY_OPEN = 90020;

    private final ServerConfig config;
    /** The embedded database's folder, locked for this server; null on PostgreSQL. */
    private final DataDirectory dataDirectory;
    private final JdbcChatStore store;
    /** Sends status changes to {@code --webhook-url}; null when webhooks are off. */
    private final WebhookDispatcher webhooks;
    private final ThreadPoolExecutor workers;
    private final HubThread hubThread = new HubThread();
    /** This node's part in a cluster; null for a single node. */
    private final ClusterNode cluster;
    private final PresenceHub hub;
    private final WebSocketGateway gateway;
    private final EventLoopGroup bossGroup;
    private final EventLoopGroup workerGroup;
    private final Channel serverChannel;
    /** The loopback-only {@code /metrics} listener of {@code --metrics-port}, or null. */
    private final Channel metricsChannel;
    private final int port;
    private boolean closed;
    /** Set when shutdown begins: {@code /ready} answers 503 from then on. */
    private volatile boolean draining;

    private PresenceServer(ServerConfig config) throws Exception {
        this.config = config;
        // first: a bad key file stops the start with one line, before anything is opened
        ApiKeys apiKeys = apiKeys(config);
        Optional<AppJwts> jwts = AppJwts.load(config.integration(), System::currentTimeMillis);
        this.dataDirectory = config.dbUrl().isPresent() ? null : DataDirectory.open(config.dataDir());
        try {
            this.store = openStore(config);
        } catch (Exception e) {
            if (dataDirectory != null) {
                dataDirectory.close();
            }
            throw e;
        }
        this.workers = newWorkers();
        HubLoop loop = hubThread.loop();
        long grace = config.offlineGrace().toMillis();
        this.cluster = config.redisUrl().isEmpty() ? null
                : new ClusterNode(nodeId(config), config.redisUrl().get(), config.nodeLease(), loop, grace);
        ServerMetrics metrics = new ServerMetrics(Optional.ofNullable(cluster).map(ClusterNode::nodeId));
        this.webhooks = config.webhooks().map(settings -> new WebhookDispatcher(store.webhooks(), settings,
                cluster != null ? cluster.nodeId() : nodeId(config), metrics)).orElse(null);
        StatusJournal journal = null;
        PresenceHub madeHub = null;
        try {
            // under --data-dir with either database: it is this node's own, like its log
            journal = StatusJournal.open(config.dataDir());
            madeHub = new PresenceHub(loop,
                    cluster != null ? cluster.engines()
                            : sink -> new LocalPresenceEngine(loop.clock(), loop.scheduler(), grace, sink),
                    store, journal, workers, metrics, new PresenceHub.Heartbeat(
                            config.heartbeatInterval().toMillis(), config.heartbeatTimeout().toMillis()),
                    cluster != null ? cluster.routes() : local -> local, webhooks == null ? null : webhooks::wake);
            if (cluster != null) {
                cluster.join(store, workers, config.nodeLease().multipliedBy(3));
                cluster.bind(metrics);
            }
            if (webhooks != null) {
                webhooks.start();
            }
        } catch (Exception e) {
            if (webhooks != null) {
                webhooks.close();
            }
            if (madeHub != null) {
                madeHub.close();
            } else if (journal != null) {
                journal.close();
            }
            if (cluster != null) {
                cluster.close();
            }
            hubThread.close();
            store.close();
            workers.shutdown();
            if (dataDirectory != null) {
                dataDirectory.close();
            }
            throw e;
        }
        this.hub = madeHub;
        Statuses statuses = new Statuses(hub);
        Accounts accounts = new Accounts(store, hub, workers, PasswordPool.forThisMachine(), config, jwts);
        MembershipLocks membershipLocks = new MembershipLocks();
        Threads threads = new Threads(store, store, hub, statuses, membershipLocks, config);
        Messages messages = new Messages(store, hub, threads, config);
        this.gateway = new WebSocketGateway(hub, accounts, metrics, config.heartbeatInterval().toMillis(),
                config.heartbeatTimeout().toMillis(), config.helloTimeout().toMillis(), config.allowedOrigins());
        boolean metricsElsewhere = config.metricsPort() != 0;
        ApiRoutes api = new ApiRoutes(accounts, threads, messages, statuses);
        ServerApiRoutes serverApi = apiKeys == null ? null : new ServerApiRoutes(apiKeys,
                new AppUsers(store, accounts, hub, statuses),
                new AppThreads(store, store, hub, threads, membershipLocks), new AppEvents(store, hub, workers));
        HttpHandler http = new HttpHandler(api, serverApi, MAX_HTTP_BODY, gateway::upgrade, metrics, workers,
                !metricsElsewhere, nodeState(), config.pageServers());
        ConnectionLimit limit = new ConnectionLimit(config.maxConnections(), PendingConnections::release);
        PendingConnections pending = new PendingConnections(config.maxPendingPerAddress());

        Transport transport = Transport.choose(config.transport());
        IoHandlerFactory io = transport.io();
        Class<? extends ServerChannel> channelType = transport.serverChannel();
        this.bossGroup = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("presence-accept", true), io);
        // one event loop per core: the work is short and non-blocking, more loops only add context switches
        this.workerGroup = new MultiThreadIoEventLoopGroup(Runtime.getRuntime().availableProcessors(),
                new DefaultThreadFactory("presence-io", true), io);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(bossGroup, workerGroup)
                .channel(channelType)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, RECV_ALLOCATOR)
                // the bounded outbound queue of each connection: past the high mark a client is a slow consumer
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(128 * 1024, 256 * 1024))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (!limit.admit(ch)) {
                            return;
                        }
                        if (!pending.admit(ch)) {
                            ConnectionLimit.refuse(ch);
                            return;
                        }
                        ch.pipeline()
                                .addLast("codec", new HttpServerCodec(4096, 8192, 8192))
                                .addLast("timeouts", timeouts(config))
                                .addLast("keepAlive", new HttpServerKeepAliveHandler())
                                .addLast("aggregator", new BoundedBodyAggregator(MAX_HTTP_BODY))
                                .addLast("http", http);
                    }
                });
        Channel main = null;
        try {
            main = bind(bootstrap, config.host(), config.port(), "--port");
            this.metricsChannel = metricsElsewhere ? bind(bootstrap.clone()
                    .childHandler(metricsEndpoint(config, metrics)), METRICS_HOST, config.metricsPort(),
                    "--metrics-port") : null;
        } catch (StartupException | RuntimeException e) {
            if (main != null) {
                main.close().syncUninterruptibly();
            }
            shutdownResources();
            throw e;
        }
        this.serverChannel = main;
        this.port = ((InetSocketAddress) serverChannel.localAddress()).getPort();
        log.info("Listening on http://{}:{} ({} store, heartbeat {} ms + {} ms, offline grace {} ms, {},"
                        + " at most {} connections)", config.host(), port,
                config.dbUrl().isPresent() ? "PostgreSQL" : "embedded H2", config.heartbeatInterval().toMillis(),
                config.heartbeatTimeout().toMillis(), config.offlineGrace().toMillis(), transport.name(),
                limit.max());
        jwts.ifPresent(j -> log.info("Accepting the app's JWTs ({}) as tokens", j.algorithms()));
        if (metricsChannel != null) {
            log.info("Metrics on http://{}:{}/metrics only", METRICS_HOST, config.metricsPort());
        }
    }

    private static HttpTimeouts timeouts(ServerConfig config) {
        return new HttpTimeouts(config.requestTimeout(), config.keepAliveTimeout());
    }

    private static ChannelInitializer<SocketChannel> metricsEndpoint(ServerConfig config, ServerMetrics metrics) {
        MetricsEndpoint endpoint = new MetricsEndpoint(metrics);
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline()
                        .addLast("codec", new HttpServerCodec(4096, 8192, 8192))
                        .addLast("timeouts", timeouts(config))
                        .addLast("aggregator", new BoundedBodyAggregator(1024))
                        .addLast("metrics", endpoint);
            }
        };
    }

    /** Binds, or says in one line why the port cannot be had and what to do. */
    private static Channel bind(ServerBootstrap bootstrap, String host, int port, String flag)
            throws StartupException {
        InetSocketAddress address = new InetSocketAddress(host, port);
        if (address.isUnresolved()) {
            throw new StartupException("cannot listen on " + host + ": no such host name; give an address of this"
                    + " machine with --host", null);
        }
        ChannelFuture bound = bootstrap.bind(address).awaitUninterruptibly();
        if (bound.isSuccess()) {
            return bound.channel();
        }
        Throwable cause = bound.cause();
        String reason = String.valueOf(cause.getMessage());
        String where = "port " + port + " on " + host;
        if (reason.contains("Address already in use")) {
            throw new StartupException(where + " is already in use (another presence server?): stop the process"
                    + " that holds it, or choose another port with " + flag, cause);
        }
        if (reason.contains("Permission denied") || reason.contains("Access denied")) {
            throw new StartupException("not allowed to listen on " + where + ": choose a port above 1023 with "
                    + flag, cause);
        }
        if (reason.contains("Cannot assign requested address")) {
            throw new StartupException("cannot listen on " + host + ": it is not an address of this machine; give"
                    + " one with --host (0.0.0.0 for all)", cause);
        }
        throw new StartupException("cannot listen on " + where + ": " + reason, cause);
    }

    /** Opens the store, loads the membership index and binds; returns once the server accepts connections. */
    public static PresenceServer start(ServerConfig config) throws Exception {
        return new PresenceServer(config);
    }

    /** The server API's keys, or null when it is off. */
    private static ApiKeys apiKeys(ServerConfig config) throws StartupException {
        if (config.integration().apiKeyFile().isEmpty()) {
            return null;
        }
        try {
            ApiKeys keys = ApiKeys.load(config.integration().apiKeyFile().get());
            log.info("Server API on (/api/server/...), keys from {}", config.integration().apiKeyFile().get());
            return keys;
        } catch (ApiKeys.UnusableFile e) {
            throw new StartupException(e.getMessage(), e);
        }
    }

    private JdbcChatStore openStore(ServerConfig config) throws StartupException {
        if (config.dbUrl().isPresent()) {
            return JdbcChatStore.open(config.dbUrl().get(), null);
        }
        JdbcChatStore embedded;
        try {
            embedded = JdbcChatStore.embedded(config.dataDir());
        } catch (RuntimeException e) {
            if (isLockedByAnother(e)) {
                throw DataDirectory.databaseInUse(config.dataDir(), e);
            }
            throw e;
        }
        dataDirectory.tighten(); // the database's files exist now
        return embedded;
    }

    /** H2's "Database may be already in use" (error 90020), anywhere in the chain. */
    private static boolean isLockedByAnother(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getErrorCode() == H2_DATABASE_ALREADY_OPEN) {
                return true;
            }
        }
        return false;
    }

    private static ThreadPoolExecutor newWorkers() {
        AtomicInteger n = new AtomicInteger();
        int threads = Math.max(4, Runtime.getRuntime().availableProcessors() * 4);
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(10_000), r -> {
                    Thread t = new Thread(r, "presence-worker-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    /** The bound port (useful with port 0). */
    public int port() {
        return port;
    }

    /** The bound {@code /metrics} port of {@code --metrics-port}, or 0 when metrics are on the main port. */
    public int metricsPort() {
        return metricsChannel == null ? 0 : ((InetSocketAddress) metricsChannel.localAddress()).getPort();
    }

    /** {@code http://host:port} */
    public URI httpUri() {
        return URI.create("http://" + config.host() + ":" + port);
    }

    /** {@code ws://host:port/ws} */
    public URI wsUri() {
        return URI.create("ws://" + config.host() + ":" + port + "/ws");
    }

    /** Stops accepting, closes every WebSocket with 1012, writes the last statuses and closes the store. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        draining = true;
        log.info("Shutting down: closing connections with 1012");
        serverChannel.close().syncUninterruptibly();
        if (metricsChannel != null) {
            metricsChannel.close().syncUninterruptibly();
        }
        try {
            // a single node has nowhere else to send its clients: only a cluster node spreads its closes
            long drain = config.redisUrl().isPresent() ? config.drain().toMillis() : 0;
            hub.closeAll(CloseCodes.RESTARTING, "server restarting", drain).get(drain + 3000, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            log.warn("Not every connection closed in time; stopping anyway");
        }
        gateway.stop();
        workerGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        shutdownResources();
        log.info("Stopped");
    }

    /** The node's name: as configured, else host name and port. */
    private static String nodeId(ServerConfig config) {
        if (config.nodeId().isPresent()) {
            return config.nodeId().get();
        }
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "localhost";
        }
        return host + ":" + (config.port() != 0 ? config.port() : "pid" + ProcessHandle.current().pid());
    }

    /** What {@code /health} and {@code /ready} say of this node. */
    private NodeState nodeState() {
        return new NodeState() {
            @Override
            public Optional<String> nodeId() {
                return Optional.ofNullable(cluster).map(ClusterNode::nodeId);
            }

            @Override
            public Optional<String> notReadyBecause() {
                if (draining) {
                    return Optional.of("draining: the node is shutting down");
                }
                return cluster == null ? Optional.empty() : cluster.notReadyBecause();
            }
        };
    }

    private void shutdownResources() {
        bossGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        workerGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        workers.shutdown();
        try {
            workers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        hub.close(); // its last save may add flips: the sender is stopped after, they go at the next start
        if (webhooks != null) {
            webhooks.close();
        }
        if (cluster != null) {
            cluster.close();
        }
        hubThread.close();
        store.close();
        if (dataDirectory != null) {
            dataDirectory.close();
        }
    }
}
