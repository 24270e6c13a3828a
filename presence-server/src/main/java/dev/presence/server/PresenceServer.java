package dev.presence.server;

import dev.presence.server.chat.ChatService;
import dev.presence.server.config.ServerConfig;
import dev.presence.server.protocol.CloseCodes;
import dev.presence.server.gateway.WebSocketGateway;
import dev.presence.server.http.HttpHandler;
import dev.presence.server.metrics.ServerMetrics;
import dev.presence.server.presence.PresenceHub;
import dev.presence.server.presence.StatusJournal;
import dev.presence.server.store.ChatStore;
import dev.presence.server.store.JdbcChatStore;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import dev.presence.server.http.BoundedBodyAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
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

    private final ServerConfig config;
    private final ChatStore store;
    private final ThreadPoolExecutor workers;
    private final PresenceHub hub;
    private final WebSocketGateway gateway;
    private final EventLoopGroup bossGroup;
    private final EventLoopGroup workerGroup;
    private final Channel serverChannel;
    private final int port;
    private boolean closed;

    private PresenceServer(ServerConfig config) throws Exception {
        this.config = config;
        if (config.redisUrl().isPresent()) {
            throw new IllegalArgumentException("--redis-url: cluster mode does not exist yet; run a single node"
                    + " without --redis-url");
        }
        this.store = openStore(config);
        this.workers = newWorkers();
        ServerMetrics metrics = new ServerMetrics();
        StatusJournal journal = null;
        try {
            // under --data-dir with either database: it is this node's own, like its log
            journal = StatusJournal.open(config.dataDir());
            this.hub = new PresenceHub(store, journal, workers, metrics, config.offlineGrace().toMillis(),
                    config.heartbeatInterval().toMillis(), config.heartbeatTimeout().toMillis());
        } catch (IOException | RuntimeException e) {
            if (journal != null) {
                journal.close();
            }
            store.close();
            workers.shutdown();
            throw e;
        }
        ChatService chat = new ChatService(store, hub, workers);
        this.gateway = new WebSocketGateway(hub, chat, metrics, config.heartbeatInterval().toMillis(),
                config.heartbeatTimeout().toMillis(), config.helloTimeout().toMillis(), config.allowedOrigins());
        HttpHandler http = new HttpHandler(chat, gateway, metrics, workers);
        ConnectionLimit limit = new ConnectionLimit(config.maxConnections());

        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        Class<? extends ServerChannel> channelType = epoll ? EpollServerSocketChannel.class
                : NioServerSocketChannel.class;
        this.bossGroup = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("presence-accept", true), io);
        // one event loop per core: the work is short and non-blocking, more loops only add context switches
        this.workerGroup = new MultiThreadIoEventLoopGroup(Runtime.getRuntime().availableProcessors(),
                new DefaultThreadFactory("presence-io", true), io);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(bossGroup, workerGroup)
                .channel(channelType)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childOption(ChannelOption.TCP_NODELAY, true)
                // the bounded outbound queue of each connection: past the high mark a client is a slow consumer
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(128 * 1024, 256 * 1024))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (!limit.admit(ch)) {
                            return;
                        }
                        ch.pipeline()
                                .addLast("codec", new HttpServerCodec(4096, 8192, 8192))
                                .addLast("keepAlive", new HttpServerKeepAliveHandler())
                                .addLast("aggregator", new BoundedBodyAggregator(MAX_HTTP_BODY))
                                .addLast("http", http);
                    }
                });
        try {
            this.serverChannel = bootstrap.bind(new InetSocketAddress(config.host(), config.port())).sync().channel();
        } catch (Exception e) {
            shutdownResources();
            throw e;
        }
        this.port = ((InetSocketAddress) serverChannel.localAddress()).getPort();
        log.info("Listening on http://{}:{} ({} store, heartbeat {} ms + {} ms, offline grace {} ms, {},"
                        + " at most {} connections)", config.host(), port,
                config.dbUrl().isPresent() ? "PostgreSQL" : "embedded H2", config.heartbeatInterval().toMillis(),
                config.heartbeatTimeout().toMillis(), config.offlineGrace().toMillis(), epoll ? "epoll" : "nio",
                limit.max());
    }

    /** Opens the store, loads the membership index and binds; returns once the server accepts connections. */
    public static PresenceServer start(ServerConfig config) throws Exception {
        return new PresenceServer(config);
    }

    private static ChatStore openStore(ServerConfig config) throws Exception {
        if (config.dbUrl().isPresent()) {
            return JdbcChatStore.open(config.dbUrl().get(), null);
        }
        Files.createDirectories(config.dataDir());
        return JdbcChatStore.embedded(config.dataDir());
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
        log.info("Shutting down: closing connections with 1012");
        serverChannel.close().syncUninterruptibly();
        try {
            hub.closeAll(CloseCodes.RESTARTING, "server restarting").get(3, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("Not every connection closed in time; stopping anyway");
        }
        gateway.stop();
        workerGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        shutdownResources();
        log.info("Stopped");
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
        hub.close();
        store.close();
    }
}
