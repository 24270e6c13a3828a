package dev.presence.server.http;

import dev.presence.server.web.HttpResponses;
import dev.presence.server.metrics.ServerMetrics;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;

import java.nio.charset.StandardCharsets;

/**
 * The whole of the metrics port ({@code --metrics-port}): {@code GET /metrics} and nothing else. It listens on
 * loopback only, for a local Prometheus agent; the main port then answers 404 for {@code /metrics}, so what the
 * server counts is not shown to the world.
 */
@ChannelHandler.Sharable
public final class MetricsEndpoint extends SimpleChannelInboundHandler<FullHttpRequest> {

    /** Prometheus's text format. */
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final ServerMetrics metrics;

    public MetricsEndpoint(ServerMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (request.decoderResult().isFailure()) {
            HttpResponses.error(ctx, false, 400, "bad_request", "the request could not be read");
            return;
        }
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        String path;
        try {
            path = new QueryStringDecoder(request.uri()).path();
        } catch (IllegalArgumentException e) {
            HttpResponses.error(ctx, false, 400, "bad_request", "the request URI is not properly encoded");
            return;
        }
        if (!path.equals("/metrics")) {
            HttpResponses.error(ctx, keepAlive, 404, "not_found", "this port serves /metrics only");
        } else if (!HttpMethod.GET.equals(request.method()) && !HttpMethod.HEAD.equals(request.method())) {
            HttpResponses.error(ctx, keepAlive, 405, "method_not_allowed", "only GET is served here");
        } else {
            HttpResponses.send(ctx, keepAlive, 200, CONTENT_TYPE, metrics.scrape().getBytes(StandardCharsets.UTF_8));
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
