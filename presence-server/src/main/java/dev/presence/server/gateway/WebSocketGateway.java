package dev.presence.server.gateway;

import dev.presence.core.Clock;
import dev.presence.core.EndReason;
import dev.presence.server.metrics.ServerMetrics;
import dev.presence.server.presence.LiveSession;
import dev.presence.server.presence.PresenceHub;
import dev.presence.server.web.BearerToken;
import dev.presence.server.web.HttpResponses;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;

import java.net.URI;
import java.util.List;

/**
 * The {@code /ws} upgrade: checks the origin, does the handshake by hand and leaves the pipeline with only the
 * frame codec and the {@link Connection}, so an idle WebSocket costs little memory.
 */
public final class WebSocketGateway {

    /** The name the handshaker gives its frame encoder. */
    private static final String ENCODER = "wsencoder";

    /**
     * The server's frame encoder holds no state of its own, so every connection shares one instead of the one the
     * handshaker makes per connection (24 bytes of heap per idle session).
     */
    @ChannelHandler.Sharable
    static final class SharedFrameEncoder extends WebSocket13FrameEncoder {
        static final SharedFrameEncoder INSTANCE = new SharedFrameEncoder();

        private SharedFrameEncoder() {
            super(false); // server frames are not masked
        }
    }

    private final GatewayContext context;
    private final WebSocketDecoderConfig decoderConfig = WebSocketDecoderConfig.newBuilder()
            .maxFramePayloadLength(GatewayContext.MAX_FRAME_BYTES)
            .allowExtensions(false)
            .closeOnProtocolViolation(true)
            .build();

    public WebSocketGateway(PresenceHub hub, Authenticator authenticator, ServerMetrics metrics,
                            long heartbeatIntervalMs, long heartbeatTimeoutMs, long helloTimeoutMs,
                            List<String> allowedOrigins) {
        this.context = new GatewayContext(new Hub() {
            @Override
            public void open(LiveSession session, String username) {
                hub.open(session, username);
            }

            @Override
            public void end(LiveSession session, EndReason reason, long lastHeardMillis) {
                hub.end(session, reason, lastHeardMillis);
            }
        }, authenticator, metrics, Heartbeat.ofMillis(heartbeatIntervalMs, heartbeatTimeoutMs), helloTimeoutMs,
                allowedOrigins, Clock.system());
    }

    /**
     * Upgrades the request to a WebSocket, or answers it with an HTTP error.
     *
     * @param handlersToRemove names of HTTP handlers that have no use once the connection is a WebSocket
     */
    public void upgrade(ChannelHandlerContext ctx, FullHttpRequest request, List<String> handlersToRemove) {
        if (!HttpMethod.GET.equals(request.method())
                || !"websocket".equalsIgnoreCase(request.headers().get(HttpHeaderNames.UPGRADE, ""))) {
            HttpResponses.error(ctx, false, 400, "websocket_required", "GET /ws must be a WebSocket upgrade");
            return;
        }
        String origin = request.headers().get(HttpHeaderNames.ORIGIN);
        if (origin != null && !originAllowed(origin, request.headers().get(HttpHeaderNames.HOST))) {
            HttpResponses.error(ctx, false, 403, "origin_not_allowed", "WebSocket connections from origin "
                    + origin + " are not allowed");
            return;
        }
        String location = "ws://" + request.headers().get(HttpHeaderNames.HOST, "localhost") + "/ws";
        WebSocketServerHandshaker handshaker =
                new WebSocketServerHandshakerFactory(location, null, decoderConfig).newHandshaker(request);
        if (handshaker == null) {
            WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel());
            return;
        }
        String token = BearerToken.of(request.headers().get(HttpHeaderNames.AUTHORIZATION));
        ChannelPipeline pipeline = ctx.pipeline();
        for (String name : handlersToRemove) {
            if (pipeline.get(name) != null) {
                pipeline.remove(name);
            }
        }
        try {
            handshaker.handshake(ctx.channel(), request);
        } catch (WebSocketServerHandshakeException e) {
            HttpResponses.error(ctx, false, 400, "bad_handshake", "not a valid WebSocket upgrade: " + e.getMessage());
            return;
        }
        if (pipeline.get(ENCODER) instanceof WebSocket13FrameEncoder) {
            pipeline.replace(ENCODER, ENCODER, SharedFrameEncoder.INSTANCE);
        }
        // replaced in this same event-loop task, so no frame can arrive before the Connection is in place. No
        // frame aggregator: the Connection sees every fragment, so each counts toward the flood limit.
        pipeline.replace(ctx.name(), "ws", new Connection(context, ctx.channel(), token));
    }

    /** Same origin as the Host the browser asked for, or one of the configured origins. */
    boolean originAllowed(String origin, String host) {
        if (context.allowedOrigins.contains(origin) || context.allowedOrigins.contains("*")) {
            return true;
        }
        try {
            URI uri = URI.create(origin);
            if (uri.getHost() == null || host == null) {
                return false;
            }
            String authority = uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
            return authority.equalsIgnoreCase(host);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Stops the heartbeat sweeps. */
    public void stop() {
        context.stop();
    }
}
