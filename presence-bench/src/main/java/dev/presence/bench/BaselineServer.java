package dev.presence.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The least a JVM spends on a delivery: a bare Netty WebSocket server that holds connections and, on
 * {@code POST /deliver}, writes one pre-encoded text frame to a set of them. The {@code deliver} scenario
 * runs it as its own process next to the presence server and compares their CPU per delivery.
 *
 * <p>Same transport as the presence server (epoll if available, one event loop per core, the same write
 * buffer water marks, the WebSocket frame decoder and encoder after the upgrade and one handler). A
 * connection says at the upgrade who it is and which audience groups it is in:
 * {@code GET /ws?user=u_b7&groups=a10,a100}. {@code POST /deliver} takes
 * {@code {"group":"a10","event":{...}}} or {@code {"user_ids":[...],"event":{...}}}; the event is encoded once
 * as an unmasked text frame, and each event loop that holds recipients gets one task that writes a retained
 * duplicate of that buffer to each of its recipients and then flushes each once. It answers
 * {@code 202 {"delivered":n}} like the presence server's API.
 */
public final class BaselineServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] WELCOME = "{\"type\":\"welcome\",\"presence\":[]}".getBytes(StandardCharsets.US_ASCII);

    private final MultiThreadIoEventLoopGroup boss;
    private final MultiThreadIoEventLoopGroup workers;
    private final Channel server;
    private final EventLoop[] loops;
    private final Map<EventLoop, Integer> loopIndex = new IdentityHashMap<>();
    private final Map<String, Audience> groups = new ConcurrentHashMap<>();
    private final Map<String, Audience> users = new ConcurrentHashMap<>();

    /**
     * The connections of a group (or of one user), one list per event loop; each list is read and changed
     * only on its own loop, so a delivery needs no lock.
     */
    private final class Audience {
        final List<Channel>[] byLoop;
        final AtomicInteger size = new AtomicInteger();

        @SuppressWarnings("unchecked")
        Audience() {
            byLoop = new List[loops.length];
            for (int i = 0; i < loops.length; i++) {
                byLoop[i] = new ArrayList<>();
            }
        }
    }

    /** {@code --host H --port P [--threads N]}; prints {@code listening on PORT} once bound. */
    public static void main(String[] args) throws Exception {
        String host = "127.0.0.1";
        int port = 0;
        int threads = Runtime.getRuntime().availableProcessors();
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--host" -> host = args[i + 1];
                case "--port" -> port = Integer.parseInt(args[i + 1]);
                case "--threads" -> threads = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        BaselineServer s = new BaselineServer(host, port, threads);
        System.out.println("listening on " + s.port());
        Runtime.getRuntime().addShutdownHook(new Thread(s::close));
        s.server.closeFuture().sync();
    }

    BaselineServer(String host, int port, int threads) throws InterruptedException {
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        Class<? extends ServerChannel> channelType = epoll ? EpollServerSocketChannel.class
                : NioServerSocketChannel.class;
        boss = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("baseline-accept", true), io);
        workers = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("baseline-io", true), io);
        List<EventLoop> list = new ArrayList<>();
        workers.forEach(e -> list.add((EventLoop) e));
        loops = list.toArray(new EventLoop[0]);
        for (int i = 0; i < loops.length; i++) {
            loopIndex.put(loops[i], i);
        }
        HttpHandler http = new HttpHandler();
        server = new ServerBootstrap().group(boss, workers).channel(channelType)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(128 * 1024, 256 * 1024))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast("codec", new HttpServerCodec(4096, 8192, 8192))
                                .addLast("keepAlive", new HttpServerKeepAliveHandler())
                                .addLast("aggregator", new HttpObjectAggregator(1 << 20))
                                .addLast("http", http);
                    }
                }).bind(host, port).sync().channel();
    }

    int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        boss.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** A text frame, FIN set, unmasked (server to client): header and payload in one buffer. */
    static ByteBuf textFrame(byte[] payload) {
        int n = payload.length;
        ByteBuf b = Unpooled.directBuffer(n + 10);
        b.writeByte(0x81);
        if (n < 126) {
            b.writeByte(n);
        } else if (n < 65_536) {
            b.writeByte(126).writeShort(n);
        } else {
            b.writeByte(127).writeLong(n);
        }
        return b.writeBytes(payload);
    }

    // --- delivery ---------------------------------------------------------------------------------------

    /** Writes the event to every connection of the audiences; returns how many connections that is. */
    int deliver(List<Audience> audiences, byte[] event) {
        int total = 0;
        for (Audience a : audiences) {
            total += a.size.get();
        }
        if (total == 0) {
            return 0;
        }
        ByteBuf frame = textFrame(event);
        try {
            for (int i = 0; i < loops.length; i++) {
                int loop = i;
                frame.retain();
                loops[i].execute(() -> {
                    try {
                        for (Audience a : audiences) {
                            for (Channel ch : a.byLoop[loop]) {
                                ch.write(frame.retainedDuplicate(), ch.voidPromise());
                            }
                        }
                        for (Audience a : audiences) {
                            for (Channel ch : a.byLoop[loop]) {
                                ch.flush();
                            }
                        }
                    } finally {
                        frame.release();
                    }
                });
            }
        } finally {
            frame.release();
        }
        return total;
    }

    private void join(Map<String, Audience> index, String key, Channel ch, int loop) {
        Audience a = index.computeIfAbsent(key, k -> new Audience());
        a.byLoop[loop].add(ch);
        a.size.incrementAndGet();
    }

    private void leave(Map<String, Audience> index, String key, Channel ch, int loop) {
        Audience a = index.get(key);
        if (a != null && a.byLoop[loop].remove(ch)) {
            a.size.decrementAndGet();
        }
    }

    // --- handlers ---------------------------------------------------------------------------------------

    @ChannelHandler.Sharable
    private final class HttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            QueryStringDecoder uri = new QueryStringDecoder(request.uri());
            String path = uri.path();
            if (path.equals("/health") && HttpMethod.GET.equals(request.method())) {
                respond(ctx, request, HttpResponseStatus.OK, "{\"status\":\"ok\"}");
            } else if (path.equals("/ws") && HttpMethod.GET.equals(request.method())) {
                upgrade(ctx, request, uri);
            } else if (path.equals("/deliver") && HttpMethod.POST.equals(request.method())) {
                deliver(ctx, request);
            } else {
                respond(ctx, request, HttpResponseStatus.NOT_FOUND, error("not_found", "no route " + path));
            }
        }

        private void upgrade(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder uri) {
            WebSocketServerHandshaker handshaker = new WebSocketServerHandshakerFactory(
                    "ws://" + request.headers().get(HttpHeaderNames.HOST, "localhost") + "/ws", null, false, 65_536)
                    .newHandshaker(request);
            if (handshaker == null) {
                WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel());
                return;
            }
            String user = uri.parameters().getOrDefault("user", List.of("")).get(0);
            List<String> memberOf = new ArrayList<>();
            for (String g : uri.parameters().getOrDefault("groups", List.of())) {
                for (String part : g.split(",")) {
                    if (!part.isEmpty()) {
                        memberOf.add(part);
                    }
                }
            }
            ctx.pipeline().remove("keepAlive");
            Channel ch = ctx.channel();
            // the welcome goes after the 101, once the HTTP codec is gone, so the client knows it is registered
            handshaker.handshake(ch, request).addListener(f -> {
                if (f.isSuccess()) {
                    ch.writeAndFlush(textFrame(WELCOME));
                } else {
                    ch.close();
                }
            });
            ctx.pipeline().replace(ctx.name(), "ws", new WsHandler(user, memberOf));
        }

        private void deliver(ChannelHandlerContext ctx, FullHttpRequest request) {
            JsonNode body;
            try {
                body = JSON.readTree(request.content().toString(StandardCharsets.UTF_8));
            } catch (Exception e) {
                respond(ctx, request, HttpResponseStatus.BAD_REQUEST, error("bad_json", "body is not JSON"));
                return;
            }
            JsonNode event = body == null ? null : body.get("event");
            if (event == null || !event.isObject()) {
                respond(ctx, request, HttpResponseStatus.BAD_REQUEST, error("bad_event", "event must be an object"));
                return;
            }
            List<Audience> audiences = new ArrayList<>();
            if (body.hasNonNull("group")) {
                Audience a = groups.get(body.get("group").asText());
                if (a != null) {
                    audiences.add(a);
                }
            } else if (body.path("user_ids").isArray()) {
                for (JsonNode id : body.get("user_ids")) {
                    Audience a = users.get(id.asText());
                    if (a != null) {
                        audiences.add(a);
                    }
                }
            } else {
                respond(ctx, request, HttpResponseStatus.BAD_REQUEST,
                        error("no_audience", "group or user_ids required"));
                return;
            }
            byte[] payload;
            try {
                payload = JSON.writeValueAsBytes(event);
            } catch (Exception e) {
                respond(ctx, request, HttpResponseStatus.BAD_REQUEST, error("bad_event", "event cannot be encoded"));
                return;
            }
            int delivered = BaselineServer.this.deliver(audiences, payload);
            respond(ctx, request, HttpResponseStatus.ACCEPTED, "{\"delivered\":" + delivered + "}");
        }
    }

    private final class WsHandler extends SimpleChannelInboundHandler<WebSocketFrame> {
        private final String user;
        private final List<String> memberOf;
        private int loop;

        WsHandler(String user, List<String> memberOf) {
            this.user = user;
            this.memberOf = memberOf;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            // on the channel's own loop: the lists of that loop are this thread's
            loop = loopIndex.get(ctx.channel().eventLoop());
            join(users, user, ctx.channel(), loop);
            for (String g : memberOf) {
                join(groups, g, ctx.channel(), loop);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            leave(users, user, ctx.channel(), loop);
            for (String g : memberOf) {
                leave(groups, g, ctx.channel(), loop);
            }
            ctx.fireChannelInactive();
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
            if (frame instanceof PingWebSocketFrame) {
                ctx.writeAndFlush(new PongWebSocketFrame(frame.content().retain()));
            } else if (frame instanceof CloseWebSocketFrame close) {
                ctx.writeAndFlush(new CloseWebSocketFrame(close.statusCode(), ""))
                        .addListener(io.netty.channel.ChannelFutureListener.CLOSE);
            }
            // text frames (pongs) prove liveness; the baseline keeps no heartbeat, so there is nothing to do
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    private static String error(String code, String message) {
        return "{\"error\":{\"code\":\"" + code + "\",\"message\":\"" + message.replace("\"", "'") + "\"}}";
    }

    private static void respond(ChannelHandlerContext ctx, FullHttpRequest request, HttpResponseStatus status,
                                String json) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(json, StandardCharsets.UTF_8));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
        HttpUtil.setKeepAlive(r, HttpUtil.isKeepAlive(request));
        ctx.writeAndFlush(r);
    }
}
