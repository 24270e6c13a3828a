package dev.presence.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongFunction;

/**
 * POSTs events to a server over a few keep-alive HTTP/1.1 connections, one request in flight per connection
 * (no pipelining), on one event loop of its own: much cheaper per request than {@code java.net.http}, so the
 * generator's share of the two cores stays small. The body is built when the request is written, from
 * {@link System#nanoTime()} then, so the latency the receivers measure starts at the write.
 */
final class EventPoster implements AutoCloseable {

    /** Requests waiting for a free connection beyond this are dropped and counted: the server cannot keep up. */
    static final int MAX_QUEUED = 20_000;

    private record Request(String path, LongFunction<String> body) {
    }

    private final MultiThreadIoEventLoopGroup group;
    private final String host;
    private final String authorization;
    private final ConcurrentLinkedQueue<Request> queue = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Conn> idle = new ConcurrentLinkedQueue<>();
    private final List<Channel> channels = new ArrayList<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final Bootstrap bootstrap;
    private final String remoteHost;
    private final int remotePort;
    private volatile boolean closing;

    final LongAdder sent = new LongAdder();
    final LongAdder accepted = new LongAdder();
    final LongAdder rejected = new LongAdder();
    final LongAdder dropped = new LongAdder();
    /** Requests in flight on a connection the server closed (its keep-alive timeout, say): never answered. */
    final LongAdder lost = new LongAdder();
    final LongAdder reconnects = new LongAdder();
    volatile String lastRejection;

    /** @param authorization the {@code Authorization} header value, or null */
    EventPoster(String host, int port, int connections, String authorization) throws InterruptedException {
        this.host = host + ":" + port;
        this.authorization = authorization;
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        group = new MultiThreadIoEventLoopGroup(1, io);
        this.remoteHost = host;
        this.remotePort = port;
        this.bootstrap = new Bootstrap().group(group)
                .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true);
        for (int i = 0; i < connections; i++) {
            Conn c = new Conn();
            c.channel = open(c).sync().channel();
            channels.add(c.channel);
            idle.add(c);
        }
    }

    private io.netty.channel.ChannelFuture open(Conn c) {
        return bootstrap.clone().handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(1 << 20), new Handler(c));
            }
        }).connect(remoteHost, remotePort);
    }

    /** Queues a POST; {@code body} gets the send time in nanos. Returns false if dropped (queue full). */
    boolean post(String path, LongFunction<String> body) {
        if (queued.get() >= MAX_QUEUED) {
            dropped.increment();
            return false;
        }
        queued.incrementAndGet();
        queue.add(new Request(path, body));
        Conn c = idle.poll();
        if (c != null) {
            c.channel.eventLoop().execute(c::sendNext);
        }
        return true;
    }

    int backlog() {
        return queued.get();
    }

    /** Waits up to {@code millis} until every queued request is answered. */
    boolean drain(long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < deadline) {
            if (queued.get() == 0 && idle.size() == channels.size()) {
                return true;
            }
            Thread.sleep(10);
        }
        return false;
    }

    @Override
    public void close() {
        closing = true;
        synchronized (channels) {
            for (Channel ch : channels) {
                ch.close();
            }
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** One connection's state; its channel is replaced when the server closes it. */
    private final class Conn {
        volatile Channel channel;
        /** A request was written and its answer has not come yet (touched on the poster's loop only). */
        boolean inFlight;

        /** On the loop: the next request, or back to idle (and a re-check, in case one came meanwhile). */
        void sendNext() {
            if (!channel.isActive()) {
                return; // the handler of the closed channel reconnects and sends once connected
            }
            Request r = queue.poll();
            if (r == null) {
                idle.add(this);
                if (!queue.isEmpty() && idle.remove(this)) {
                    sendNext();
                }
                return;
            }
            queued.decrementAndGet();
            byte[] body = r.body().apply(System.nanoTime()).getBytes(StandardCharsets.UTF_8);
            FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, r.path(),
                    Unpooled.wrappedBuffer(body));
            req.headers().set(HttpHeaderNames.HOST, host)
                    .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
            if (authorization != null) {
                req.headers().set(HttpHeaderNames.AUTHORIZATION, authorization);
            }
            sent.increment();
            inFlight = true;
            channel.writeAndFlush(req);
        }

        /** On the loop, after the server closed this connection: a fresh one takes over. */
        void reopen() {
            if (inFlight) {
                inFlight = false;
                lost.increment();
            }
            idle.remove(this);
            if (closing) {
                return;
            }
            reconnects.increment();
            open(this).addListener((io.netty.channel.ChannelFutureListener) f -> {
                if (f.isSuccess()) {
                    synchronized (channels) {
                        channels.remove(channel);
                        channels.add(f.channel());
                    }
                    channel = f.channel();
                    sendNext();
                } else if (!closing) {
                    lastRejection = "reconnect failed: " + f.cause();
                    f.channel().eventLoop().schedule(this::reopen, 100, TimeUnit.MILLISECONDS);
                }
            });
        }
    }

    private final class Handler extends SimpleChannelInboundHandler<FullHttpResponse> {
        private final Conn conn;

        Handler(Conn conn) {
            this.conn = conn;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
            conn.inFlight = false;
            int code = response.status().code();
            if (code >= 200 && code < 300) {
                accepted.increment();
            } else {
                rejected.increment();
                lastRejection = code + " " + response.content().toString(StandardCharsets.UTF_8);
            }
            if (!io.netty.handler.codec.http.HttpUtil.isKeepAlive(response)) {
                ctx.close(); // the server said so: the next request goes on a fresh connection (channelInactive)
                return;
            }
            conn.sendNext();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (ctx.channel() == conn.channel) {
                conn.reopen();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            lastRejection = "connection failed: " + cause;
            ctx.close();
        }
    }
}
