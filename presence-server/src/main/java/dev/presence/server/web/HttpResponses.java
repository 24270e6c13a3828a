package dev.presence.server.web;

import dev.presence.server.protocol.Json;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

import java.util.List;
/**
 * Writes HTTP responses with the headers every answer carries: the API's, the static page's and the errors of
 * a refused WebSocket upgrade.
 */
public final class HttpResponses {

    /** Scripts, styles and connections from our own origin only; no inline script, no framing. */
    static final String CONTENT_SECURITY_POLICY = contentSecurityPolicy(List.of());

    /**
     * The policy with connections allowed to our own origin and to {@code connectSources} too (the cluster's
     * nodes a page may use, as {@code --page-servers} gives them).
     */
    public static String contentSecurityPolicy(List<String> connectSources) {
        String connect = connectSources.isEmpty() ? "'self'" : "'self' " + String.join(" ", connectSources);
        return "default-src 'self'; connect-src " + connect + "; script-src 'self';"
                + " style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none';"
                + " form-action 'self'; frame-ancestors 'none'";
    }

    private HttpResponses() {
    }

    /** A JSON answer; a null body is an empty one. */
    public static void json(ChannelHandlerContext ctx, boolean keepAlive, int status, Object body) {
        byte[] bytes = body == null ? new byte[0] : Json.bytes(body);
        send(ctx, keepAlive, status, "application/json; charset=utf-8", bytes);
    }

    public static void error(ChannelHandlerContext ctx, boolean keepAlive, int status, String code, String message) {
        error(ctx, keepAlive, status, code, message, 0);
    }

    /** An error answer; with {@code retryAfterSeconds > 0} (429, 503) it carries {@code Retry-After}. */
    public static void error(ChannelHandlerContext ctx, boolean keepAlive, int status, String code, String message,
                             long retryAfterSeconds) {
        var body = Json.object();
        body.putObject("error").put("code", code).put("message", message);
        send(ctx, keepAlive, status, "application/json; charset=utf-8", Json.bytes(body), retryAfterSeconds);
    }

    public static void send(ChannelHandlerContext ctx, boolean keepAlive, int status, String contentType,
                            byte[] bytes) {
        send(ctx, keepAlive, status, contentType, bytes, 0);
    }

    /** An answer under a policy of its own (a page that may connect to other nodes). */
    public static void send(ChannelHandlerContext ctx, boolean keepAlive, int status, String contentType,
                            byte[] bytes, String contentSecurityPolicy) {
        send(ctx, keepAlive, status, contentType, bytes, 0, contentSecurityPolicy);
    }

    private static void send(ChannelHandlerContext ctx, boolean keepAlive, int status, String contentType,
                             byte[] bytes, long retryAfterSeconds) {
        send(ctx, keepAlive, status, contentType, bytes, retryAfterSeconds, CONTENT_SECURITY_POLICY);
    }

    private static void send(ChannelHandlerContext ctx, boolean keepAlive, int status, String contentType,
                             byte[] bytes, long retryAfterSeconds, String contentSecurityPolicy) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(status), Unpooled.wrappedBuffer(bytes));
        HttpHeaders headers = response.headers();
        if (bytes.length > 0 || status != 204) {
            headers.set(HttpHeaderNames.CONTENT_TYPE, contentType);
        }
        if (status != 204) {
            headers.setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        }
        headers.set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        headers.set("X-Content-Type-Options", "nosniff");
        headers.set("Referrer-Policy", "no-referrer");
        headers.set("X-Frame-Options", "DENY");
        headers.set("Content-Security-Policy", contentSecurityPolicy);
        if (retryAfterSeconds > 0) {
            headers.set(HttpHeaderNames.RETRY_AFTER, retryAfterSeconds);
        }
        HttpUtil.setKeepAlive(response, keepAlive);
        if (!keepAlive) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        var written = ctx.writeAndFlush(response);
        if (!keepAlive) {
            written.addListener(ChannelFutureListener.CLOSE);
        }
    }
}
