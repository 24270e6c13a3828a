package dev.presence.server.http;

import dev.presence.server.web.HttpResponses;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpUtil;

/** Collects a request body up to a limit; a larger one gets a JSON 413 like every other error. */
public final class BoundedBodyAggregator extends HttpObjectAggregator {

    private final int maxBytes;

    public BoundedBodyAggregator(int maxBytes) {
        super(maxBytes);
        this.maxBytes = maxBytes;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        // without keep-alive the connection closes after the answer; with it, the rest of the body is read and
        // dropped, and the connection serves the next request
        HttpResponses.error(ctx, HttpUtil.isKeepAlive(oversized), 413, "too_large",
                "the request body is larger than " + maxBytes / 1024 + " KiB");
    }
}
