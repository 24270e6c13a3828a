package dev.presence.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Many non-blocking WebSocket clients on a few event loops (never a thread per socket). Connections are spread
 * over loopback source addresses 127.0.0.2, 127.0.0.3, ... so that ephemeral ports never run out. It answers
 * the server's pings, hands what frames say ({@link FrameScanner}) to each session's view ({@link Session}),
 * and counts what it sees.
 */
final class Fleet implements AutoCloseable {

    /** What a scenario wants to hear about; called on the session's event loop. */
    interface Listener {
        default void welcomed(Session s, long nanos) {
        }

        default void status(Session receiver, int user, boolean online, long version, long nanos) {
        }

        default void closed(Session s, boolean wasOpen, long nanos) {
        }

        default void connectFailed(Session s, Throwable cause) {
        }

        /** Just before the bench sends a clean close. */
        default void closing(Session s, long nanos) {
        }

        /** A frame carrying the bench's send stamp ({@code sent_at_nanos}): an app event of {@code deliver}. */
        default void appEvent(Session s, long sentAtNanos, long nanos) {
        }
    }

    private static final byte[] PONG = "{\"type\":\"pong\"}".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final MultiThreadIoEventLoopGroup group;
    private final Bootstrap base;
    private final List<InetAddress> sources = new ArrayList<>();
    /** One server per node; a session connects to the node {@link Session#node} names. */
    private final List<InetSocketAddress> remotes = new ArrayList<>();
    private final List<URI> uris = new ArrayList<>();
    private final Listener listener;
    private volatile Semaphore gate;
    private final AtomicInteger nextSource = new AtomicInteger();

    final LongAdder pings = new LongAdder();
    final LongAdder pongs = new LongAdder();
    final LongAdder statusEvents = new LongAdder();
    final LongAdder onlineEvents = new LongAdder();
    final LongAdder offlineEvents = new LongAdder();
    final LongAdder staleEvents = new LongAdder();
    final LongAdder welcomes = new LongAdder();
    final LongAdder connectAttempts = new LongAdder();
    final LongAdder connectFailures = new LongAdder();
    final LongAdder handshakeFailures = new LongAdder();
    final LongAdder serverCloses = new LongAdder();
    final LongAdder versionRegressions = new LongAdder();
    /** Text frames and payload bytes received, and how many of them were {@code status_batch}. */
    final LongAdder framesReceived = new LongAdder();
    final LongAdder bytesReceived = new LongAdder();
    final LongAdder batchFrames = new LongAdder();
    final LongAdder statusFrames = new LongAdder();
    final LongAdder welcomeBytes = new LongAdder();
    /** Close codes of close frames the server sent unasked, with counts. */
    final java.util.concurrent.ConcurrentHashMap<Integer, LongAdder> serverCloseCodes =
            new java.util.concurrent.ConcurrentHashMap<>();
    final AtomicInteger openSessions = new AtomicInteger();
    final AtomicInteger completeViews = new AtomicInteger();
    /** The first resource limit that stopped a connection, said for a person; null while none did. */
    volatile String limitHit;
    volatile String lastFailure;
    /** The first status version seen to go backwards, described for a person. */
    volatile String regressionSample;

    Fleet(String host, int port, int threads, int sourceAddresses, Listener listener) {
        this(host, port, threads, 0, sourceAddresses, listener);
    }

    /** @param sourceOffset index of the first source address (127.0.0.2 is 0), so processes use distinct ones */
    Fleet(String host, int port, int threads, int sourceOffset, int sourceAddresses, Listener listener) {
        this(host, new int[] {port}, threads, sourceOffset, sourceAddresses, listener);
    }

    /**
     * Clients of a cluster: user {@code u}'s session goes to node {@code u % ports.length}, so the members of
     * a ring thread (consecutive users) sit on different nodes.
     */
    Fleet(String host, int[] ports, int threads, int sourceOffset, int sourceAddresses, Listener listener) {
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        this.group = new MultiThreadIoEventLoopGroup(threads, io);
        this.base = new Bootstrap()
                .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                .option(ChannelOption.SO_REUSEADDR, true);
        for (int port : ports) {
            remotes.add(new InetSocketAddress(host, port));
            uris.add(URI.create("ws://" + host + ":" + port + "/ws"));
        }
        this.listener = listener;
        try {
            for (int i = sourceOffset; i < sourceOffset + Math.max(1, sourceAddresses); i++) {
                sources.add(InetAddress.getByAddress(new byte[] {127, 0, (byte) (i / 250), (byte) (2 + i % 250)}));
            }
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Source addresses needed so that no address uses more than about 10,000 ephemeral ports. */
    static int sourcesFor(int sessions) {
        return Math.max(2, (sessions + 9_999) / 10_000 + 1);
    }

    Session newSession(int user, String token, int users) {
        return newSession(user, token, users, Ring.THREAD_SIZE);
    }

    /** A session that watches the given co-members (any graph, not only the ring). */
    Session newSession(int user, String token, int[] watched) {
        Session s = new Session(user, token, (EventLoop) group.next(), watched);
        s.node = user % remotes.size();
        return s;
    }

    Session newSession(int user, String token, int users, int threadSize) {
        EventLoop loop = (EventLoop) group.next();
        Session s = new Session(user, token, loop, Ring.coMembers(user, users, threadSize));
        s.node = user % remotes.size();
        return s;
    }

    /** Starts connecting; the outcome arrives through the listener. */
    void connect(Session s) {
        s.closing = false;
        s.connectStartNanos = System.nanoTime();
        connectAttempts.increment();
        // a fresh source address per attempt: reconnect-heavy scenarios leave TIME_WAIT pairs behind
        InetSocketAddress local = new InetSocketAddress(
                sources.get(Math.floorMod(nextSource.getAndIncrement(), sources.size())), 0);
        ChannelFuture f = base.clone(s.loop).handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(1 << 20),
                        new ClientHandler(s));
            }
        }).connect(remotes.get(s.node), local);
        s.channel = f.channel();
        f.addListener((ChannelFutureListener) done -> {
            if (!done.isSuccess()) {
                connectFailures.increment();
                noteFailure(done.cause());
                release(s);
                listener.connectFailed(s, done.cause());
            }
        });
    }

    private void noteFailure(Throwable cause) {
        String message = String.valueOf(cause.getMessage());
        lastFailure = cause.getClass().getSimpleName() + ": " + message;
        if (message.contains("Too many open files")) {
            if (limitHit == null) {
                limitHit = "open files limit " + Limits.openFilesLimit() + " reached in the generator process"
                        + " (" + openSessions.get() + " sessions open)";
            }
        } else if (message.contains("Cannot assign requested address")) {
            if (limitHit == null) {
                limitHit = "ephemeral ports exhausted on the loopback source addresses (" + sources.size()
                        + " addresses, " + openSessions.get() + " sessions open)";
            }
        }
    }

    /**
     * Connects all {@code sessions}, at most {@code maxInFlight} handshakes at a time, and waits until each
     * one is welcomed or has failed.
     *
     * @return how many were welcomed
     */
    int connectAll(List<Session> sessions, int maxInFlight, long timeoutMs) throws InterruptedException {
        Semaphore g = new Semaphore(maxInFlight);
        gate = g;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        int before = (int) welcomes.sum();
        for (Session s : sessions) {
            if (!g.tryAcquire(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                break;
            }
            s.awaitingWelcome = true;
            connect(s);
        }
        g.tryAcquire(maxInFlight, Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        gate = null;
        return (int) welcomes.sum() - before;
    }

    private void release(Session s) {
        if (s.awaitingWelcome) {
            s.awaitingWelcome = false;
            Semaphore g = gate;
            if (g != null) {
                g.release();
            }
        }
    }

    /** A clean close (close frame 1000), as a user who closes the app. */
    void closeClean(Session s) {
        s.loop.execute(() -> {
            Channel ch = s.channel;
            if (ch == null || !ch.isActive() || s.frozen) {
                return;
            }
            s.closing = true;
            s.closeSentNanos = System.nanoTime();
            listener.closing(s, s.closeSentNanos);
            ch.writeAndFlush(new CloseWebSocketFrame(1000, "bye"));
            // the server answers with its close frame and closes; the close handler closes our side
        });
    }

    /** The network dies: nothing is read and nothing is ever written again; the socket stays open. */
    void freeze(Session s) {
        s.loop.execute(() -> {
            s.frozen = true;
            Channel ch = s.channel;
            if (ch != null) {
                ch.config().setAutoRead(false);
            }
        });
    }

    /** Closes the socket at once, without a close frame. */
    void drop(Session s) {
        s.loop.execute(() -> {
            s.closing = true;
            Channel ch = s.channel;
            if (ch != null) {
                ch.close();
            }
        });
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    EventLoop anyLoop() {
        return (EventLoop) group.next();
    }

    // --- the handler ------------------------------------------------------------------------------------

    private final class ClientHandler extends SimpleChannelInboundHandler<Object> {
        private final Session s;
        private final WebSocketClientHandshaker handshaker;

        ClientHandler(Session s) {
            this.s = s;
            DefaultHttpHeaders headers = new DefaultHttpHeaders();
            headers.set("Authorization", "Bearer " + s.token);
            URI uri = s.wsQuery == null ? uris.get(s.node) : URI.create(uris.get(s.node) + "?" + s.wsQuery);
            // 4 MiB: the welcome of a member of a 2,000-member thread is ~200 KB
            this.handshaker = WebSocketClientHandshakerFactory.newHandshaker(uri, WebSocketVersion.V13, null,
                    false, headers, 4 << 20);
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            s.frozen = false;
            handshaker.handshake(ctx.channel());
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Object msg) throws Exception {
            if (s.frozen) {
                return;
            }
            if (!handshaker.isHandshakeComplete()) {
                if (msg instanceof FullHttpResponse response) {
                    try {
                        handshaker.finishHandshake(ctx.channel(), response);
                    } catch (RuntimeException e) {
                        handshakeFailures.increment();
                        lastFailure = "handshake: " + e.getMessage();
                        ctx.close();
                    }
                }
                return;
            }
            if (msg instanceof TextWebSocketFrame text) {
                onText(ctx, ByteBufUtil.getBytes(text.content()));
            } else if (msg instanceof PingWebSocketFrame ping) {
                ctx.writeAndFlush(new PongWebSocketFrame(ping.content().retain()));
            } else if (msg instanceof CloseWebSocketFrame close) {
                if (!s.closing) {
                    serverCloses.increment();
                    serverCloseCodes.computeIfAbsent(close.statusCode(), k -> new LongAdder()).increment();
                }
                ctx.close();
            }
        }

        private void onText(ChannelHandlerContext ctx, byte[] bytes) throws IOException {
            long now = System.nanoTime();
            framesReceived.increment();
            bytesReceived.add(bytes.length);
            s.framesReceived++;
            s.bytesReceived += bytes.length;
            FrameScanner.Frame frame = FrameScanner.scan(bytes);
            if (frame == null) {
                return;
            }
            if (frame.sentAtNanos() >= 0) {
                listener.appEvent(s, frame.sentAtNanos(), now);
                return;
            }
            switch (frame.type()) {
                case "ping" -> {
                    pings.increment();
                    if (!s.frozen) {
                        ctx.writeAndFlush(new TextWebSocketFrame(ctx.alloc().buffer(PONG.length).writeBytes(PONG)));
                        pongs.increment();
                    }
                }
                case "welcome" -> {
                    welcomeBytes.add(bytes.length);
                    onWelcome(frame.statuses(), now);
                }
                case "user_status_changed", "status_batch" -> {
                    (frame.type().equals("status_batch") ? batchFrames : statusFrames).increment();
                    frame.statuses().forEach(status -> onStatus(status, now));
                }
                default -> {
                }
            }
        }

        private void onWelcome(List<FrameScanner.Status> presence, long now) {
            FrameScanner.Status regression = s.replaceView(presence);
            if (regression != null) {
                versionRegressions.increment();
                if (regressionSample == null) {
                    regressionSample = "session of " + Ring.userId(s.user) + ": welcome shows "
                            + Ring.userId(regression.user()) + " at version " + regression.version() + " (online="
                            + regression.online() + ") after it had seen version "
                            + s.maxVersionSeen[s.slotOf(regression.user())];
                }
            }
            if (!s.open) {
                s.open = true;
                openSessions.incrementAndGet();
            }
            welcomes.increment();
            if (s.backoff != null) {
                s.backoff.reset();
            }
            updateComplete();
            release(s);
            listener.welcomed(s, now);
        }

        private void onStatus(FrameScanner.Status status, long now) {
            statusEvents.increment();
            if (status.online()) {
                onlineEvents.increment();
            } else {
                offlineEvents.increment();
            }
            switch (s.apply(status)) {
                case CHANGED_VIEW, SAME_VIEW -> updateComplete();
                case STALE -> staleEvents.increment();
                case NOT_WATCHED -> {
                }
            }
            listener.status(s, status.user(), status.online(), status.version(), now);
        }

        private void updateComplete() {
            boolean complete = s.viewShowsAllOnline();
            if (complete != s.viewComplete) {
                s.viewComplete = complete;
                if (complete) {
                    completeViews.incrementAndGet();
                } else {
                    completeViews.decrementAndGet();
                }
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (ctx.channel() != s.channel) {
                return;
            }
            boolean wasOpen = s.open;
            if (wasOpen) {
                s.open = false;
                openSessions.decrementAndGet();
            }
            updateComplete();
            if (!wasOpen && s.awaitingWelcome) {
                handshakeFailures.increment();
            }
            release(s);
            listener.closed(s, wasOpen, System.nanoTime());
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            noteFailure(cause);
            ctx.close();
        }
    }
}
