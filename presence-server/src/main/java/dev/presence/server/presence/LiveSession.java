package dev.presence.server.presence;

import dev.presence.server.protocol.OutboundFrame;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;

/** An authenticated, open connection as the presence hub sees it. */
public interface LiveSession {

    /** Made by the server, unique; the key of everything the session owns. */
    String sessionId();

    String userId();

    /** The user's name, for the log. */
    default String username() {
        return userId();
    }

    /** {@link #issuedAt()} of a session opened with a login token of this server: no issue time. */
    long LOGIN_TOKEN = Long.MAX_VALUE;

    /** Hash of the login token the session was opened with, so a logout can close it. */
    String tokenHash();

    /**
     * When the app's JWT the session was opened with was issued (epoch ms; {@link Long#MIN_VALUE} if the JWT says
     * nothing), so a revocation can end the sessions of tokens issued before it; {@link #LOGIN_TOKEN} otherwise.
     */
    default long issuedAt() {
        return LOGIN_TOKEN;
    }

    /** The event loop the session's channel lives on; {@link #send} must be called there. */
    EventExecutor executor();

    /**
     * Queues a JSON text frame on the event loop thread; a session whose outbound queue is full is closed
     * as a slow consumer instead of being waited for. Takes ownership of {@code json}.
     */
    void send(ByteBuf json);

    /**
     * Queues an event encoded once for all its recipients, on the event loop thread; it is written and flushed by
     * the end of the loop's current pass, statuses pending together possibly as one {@code status_batch}. Does
     * not take ownership of the frame: it retains what it keeps.
     */
    void send(OutboundFrame event);

    /** Flushes what {@link #send} queued; on the event loop thread. */
    void flush();

    /** Sends a close frame with that code and closes; callable from any thread. */
    void close(int code, String reason);

    /** Completes when the connection is closed. */
    Future<Void> closeFuture();
}
