package dev.presence.server.http;

import dev.presence.server.web.HttpResponses;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;

/**
 * Collects a request body up to a limit; a larger one gets a JSON 413 like every other error. The server API
 * ({@code /api/server/...}: bulk users, long member lists) has a larger limit than the rest. A declared
 * {@code Content-Length} is checked against its path's limit before anything is read; a chunked body is collected
 * up to the larger limit and then checked by {@link HttpHandler}.
 */
public final class BoundedBodyAggregator extends HttpObjectAggregator {

    /** The server API's limit: 10,000 member ids of up to 128 characters fit. */
    public static final int SERVER_API_MAX_BYTES = 2 * 1024 * 1024;

    private final int maxBytes;

    /** @param maxBytes the limit of every path but the server API's */
    public BoundedBodyAggregator(int maxBytes) {
        super(Math.max(maxBytes, SERVER_API_MAX_BYTES));
        this.maxBytes = maxBytes;
    }

    /** The most a body sent to {@code uri} may hold, when other paths may have {@code maxBytes}. */
    static int limitFor(String uri, int maxBytes) {
        return ServerApiRoutes.isServerPath(pathOf(uri)) ? Math.max(maxBytes, SERVER_API_MAX_BYTES) : maxBytes;
    }

    private int limitFor(HttpMessage message) {
        return message instanceof HttpRequest request ? limitFor(request.uri(), maxBytes) : maxBytes;
    }

    private static String pathOf(String uri) {
        int query = uri.indexOf('?');
        return query < 0 ? uri : uri.substring(0, query);
    }

    @Override
    protected boolean isContentLengthInvalid(HttpMessage start, int maxContentLength) {
        return super.isContentLengthInvalid(start, Math.min(maxContentLength, limitFor(start)));
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        // without keep-alive the connection closes after the answer; with it, the rest of the body is read and
        // dropped, and the connection serves the next request
        HttpResponses.error(ctx, HttpUtil.isKeepAlive(oversized), 413, "too_large",
                "the request body is larger than " + limitFor(oversized) / 1024 + " KiB");
    }
}
