package dev.presence.server.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;

import java.util.List;

/**
 * Where {@code GET /ws} goes: whatever turns the connection into a WebSocket (the gateway, wired in by the
 * server). The HTTP layer knows only this, so it and the gateway never import each other.
 */
@FunctionalInterface
public interface WebSocketUpgrade {

    /**
     * Upgrades the request to a WebSocket, or answers it with an HTTP error. Called on the event loop.
     *
     * @param handlersToRemove names of HTTP handlers that have no use once the connection is a WebSocket
     */
    void upgrade(ChannelHandlerContext ctx, FullHttpRequest request, List<String> handlersToRemove);
}
