package dev.presence.server.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import dev.presence.core.EndReason;
import dev.presence.server.domain.Identity;
import dev.presence.server.domain.Ids;
import dev.presence.server.presence.LiveSession;
import dev.presence.server.protocol.CloseCodes;
import dev.presence.server.protocol.Frames;
import dev.presence.server.protocol.Json;
import dev.presence.server.protocol.OutboundFrame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * One WebSocket after the upgrade: the only handler left in its pipeline besides the frame codec. It
 * authenticates (header token or {@code hello}), records when anything last arrived, counts every frame
 * against the flood limit, puts fragmented messages together, refuses text that is not UTF-8, answers frames,
 * and tells the hub when the session starts and ends, why, and when it was last heard from. Everything here
 * runs on the channel's event loop and never blocks: the token check runs on a worker and comes back. Time is
 * the event loop's ticker, so on an embedded channel all of it runs on virtual time.
 */
final class Connection extends SimpleChannelInboundHandler<WebSocketFrame> implements LiveSession {

    private static final Logger log = LoggerFactory.getLogger(Connection.class);

    private enum State { AWAITING_HELLO, AUTHENTICATING, OPEN, CLOSED }

    /** Statuses in one {@code status_batch} frame at most (about 90 bytes each). */
    private static final int MAX_BATCH = 512;

    /** How long a server-initiated close waits for the client's close frame. */
    private static final long CLOSE_HANDSHAKE_MILLIS = 1000;

    private final GatewayContext context;
    private final Channel channel;
    private final String sessionId = Ids.random(12);
    private State state;
    /** Who this is once authenticated; shared by every connection of the same token (fewer strings). */
    private Identity identity;
    private long lastInboundNanos;
    private long nextPingNanos;
    private long helloDeadlineNanos;
    private long rateWindowStartNanos;
    /** When the outbound queue went over its high-water mark; meaningful while {@link #backedUp}. */
    private long unwritableSinceNanos;
    /** Whether the outbound queue is over its high-water mark (a flag: any nanoTime value, 0 too, is a time). */
    private boolean backedUp;
    private int framesInWindow;
    private EndReason endReason = EndReason.LOST;
    /** The fragments of a message still arriving; null between messages. */
    private ByteBuf fragments;
    private boolean fragmentsAreText;
    /** Whether the hub has sent the welcome; until then the welcome is still to be the first data frame. */
    private boolean welcomed;
    /** Replies to frames that came before the welcome, sent right after it; null while there are none. */
    private List<byte[]> heldReplies;
    /**
     * Statuses sent to this session in this pass of its event loop, not written yet: null, one
     * {@link OutboundFrame}, or a list of them (each retained). Written at the end of the pass (one alone as it
     * is, several as {@code status_batch} frames), or before any other frame, so order is kept.
     */
    private Object pendingStatuses;
    /** Whether the end-of-pass flush is queued on the event loop. */
    private boolean flushQueued;
    /** Where this connection is in its loop's {@link HeartbeatMonitor}; -1 when not there. */
    int monitorSlot = -1;

    /**
     * @param headerToken the bearer token of the upgrade request, or null to wait for a {@code hello}
     */
    Connection(GatewayContext context, Channel channel, String headerToken) {
        this.context = context;
        this.channel = channel;
        long now = now();
        this.lastInboundNanos = now;
        this.rateWindowStartNanos = now;
        this.helloDeadlineNanos = now + context.helloTimeoutNanos;
        context.metrics.connectionOpened();
        context.monitor(channel.eventLoop()).add(this);
        if (headerToken != null) {
            authenticate(headerToken);
        } else {
            state = State.AWAITING_HELLO;
        }
    }

    // --- LiveSession, as the hub sees it -------------------------------------------------------------

    @Override
    public String sessionId() {
        return sessionId;
    }

    @Override
    public String userId() {
        return identity == null ? null : identity.userId();
    }

    @Override
    public String username() {
        return identity == null ? null : identity.username();
    }

    @Override
    public String tokenHash() {
        return identity == null ? null : identity.tokenHash();
    }

    @Override
    public long issuedAt() {
        return identity == null ? LOGIN_TOKEN : identity.issuedAt();
    }

    @Override
    public EventExecutor executor() {
        return channel.eventLoop();
    }

    /** The hub's first frame to a session is its welcome, so replies held back until then follow it. */
    @Override
    public void send(ByteBuf json) {
        writePendingStatuses();
        write(new TextWebSocketFrame(json));
        if (!welcomed) {
            welcomed = true;
            if (heldReplies != null) {
                heldReplies.forEach(reply -> write(new TextWebSocketFrame(Unpooled.wrappedBuffer(reply))));
                heldReplies = null;
            }
        }
    }

    /**
     * Every outbound frame goes through here: the outbound queue is bounded. Past its high-water mark a
     * burst (a big welcome, a join with many co-members) may still queue up to a hard limit; a connection
     * that stays unwritable for interval + timeout, or passes the hard limit, is a slow consumer and is
     * closed, never waited for.
     */
    private void write(Object frame) {
        if (state == State.CLOSED || !channel.isActive()) {
            ReferenceCountUtil.release(frame);
            return;
        }
        if (!channel.isWritable()) {
            if (!backedUp) {
                backedUp = true;
                unwritableSinceNanos = now();
            }
            ChannelOutboundBuffer queue = channel.unsafe().outboundBuffer();
            if (queue == null || queue.totalPendingWriteBytes() > GatewayContext.MAX_QUEUED_BYTES) {
                ReferenceCountUtil.release(frame);
                closeSlowConsumer("outbound queue over " + GatewayContext.MAX_QUEUED_BYTES / 1024 + " KiB");
                return;
            }
        }
        channel.write(frame, channel.voidPromise());
    }

    private void closeSlowConsumer(String why) {
        context.metrics.slowConsumer();
        log.warn("Slow consumer closed: {} ({})", describe(), why);
        endReason = EndReason.LOST;
        state = State.CLOSED;
        channel.close();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (channel.isWritable()) {
            backedUp = false;
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void flush() {
        writePendingStatuses();
        channel.flush();
    }

    /**
     * An event encoded once for all its recipients: written as the same bytes (no frame object, no encoding per
     * recipient) and flushed once at the end of this pass of the event loop, however many events the pass
     * brought. Statuses are held until then: when several are pending for this session, they go out as one
     * {@code status_batch} (a reconnect storm then costs a recipient a few frames instead of one per member).
     */
    @Override
    public void send(OutboundFrame event) {
        if (state == State.CLOSED || !channel.isActive()) {
            return;
        }
        event.frame().retain();
        if (event.isStatus()) {
            holdStatus(event);
        } else {
            writePendingStatuses();
            write(event.frame().duplicate());
        }
        if (!flushQueued) {
            flushQueued = true;
            channel.eventLoop().execute(this::flushPass);
        }
    }

    private void holdStatus(OutboundFrame status) {
        if (pendingStatuses == null) {
            pendingStatuses = status;
        } else if (pendingStatuses instanceof OutboundFrame first) {
            List<OutboundFrame> list = new ArrayList<>(4);
            list.add(first);
            list.add(status);
            pendingStatuses = list;
        } else {
            pendingList().add(status);
        }
    }

    private List<OutboundFrame> pendingList() {
        return pendingList(pendingStatuses);
    }

    private void flushPass() {
        flushQueued = false;
        writePendingStatuses();
        channel.flush();
    }

    /** Writes the held statuses: a lone one as its shared frame, more as batches of at most {@value #MAX_BATCH}. */
    private void writePendingStatuses() {
        Object pending = pendingStatuses;
        if (pending == null) {
            return;
        }
        pendingStatuses = null;
        if (pending instanceof OutboundFrame one) {
            write(one.frame().duplicate()); // the duplicate carries the reference held since send
            return;
        }
        List<OutboundFrame> all = pendingList(pending);
        for (int from = 0; from < all.size(); from += MAX_BATCH) {
            List<OutboundFrame> part = all.subList(from, Math.min(all.size(), from + MAX_BATCH));
            if (part.size() == 1) {
                write(part.get(0).frame().duplicate());
            } else {
                write(OutboundFrame.statusBatch(part, channel.alloc()));
                part.forEach(status -> status.frame().release());
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static List<OutboundFrame> pendingList(Object pending) {
        return (List<OutboundFrame>) pending;
    }

    private void releasePendingStatuses() {
        Object pending = pendingStatuses;
        pendingStatuses = null;
        if (pending instanceof OutboundFrame one) {
            one.frame().release();
        } else if (pending != null) {
            pendingList(pending).forEach(status -> status.frame().release());
        }
    }

    @Override
    public void close(int code, String reason) {
        if (channel.eventLoop().inEventLoop()) {
            closeWith(code, reason);
        } else {
            channel.eventLoop().execute(() -> closeWith(code, reason));
        }
    }

    @Override
    public Future<Void> closeFuture() {
        return channel.closeFuture();
    }

    private void closeWith(int code, String reason) {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        // a node going away (1012) ends its sessions as lost connections: the grace applies, so a client that
        // reconnects to another node inside it causes no event (a rolling restart is invisible to watchers)
        endReason = code == CloseCodes.RESTARTING ? EndReason.LOST : EndReason.CLOSED;
        // RFC 6455 closing handshake: wait for the client's close frame before closing TCP. Closing at once
        // while the client still sends makes the kernel answer with a reset, and the client may never read
        // our close code (4429, 4401, 1012). A client that does not answer is closed after a moment anyway.
        channel.writeAndFlush(new CloseWebSocketFrame(code, reason)).addListener(written -> {
            if (!written.isSuccess()) {
                channel.close();
            }
        });
        channel.eventLoop().schedule((Runnable) channel::close, CLOSE_HANDSHAKE_MILLIS, TimeUnit.MILLISECONDS);
    }

    // --- authentication ------------------------------------------------------------------------------

    private void authenticate(String token) {
        state = State.AUTHENTICATING;
        context.authenticator.authenticate(token).whenComplete((identity, error) -> channel.eventLoop().execute(() -> {
            if (state != State.AUTHENTICATING) {
                return; // closed while the token was checked
            }
            if (error != null) {
                log.warn("Token check failed", error);
                closeWith(CloseCodes.RESTARTING, "try again");
            } else if (identity.isEmpty()) {
                context.metrics.authFailure();
                closeWith(CloseCodes.UNAUTHORIZED, "authentication failed");
            } else {
                opened(identity.get());
            }
        }));
    }

    private void opened(Identity identity) {
        this.identity = identity;
        state = State.OPEN;
        dev.presence.server.web.PendingConnections.release(channel); // authenticated: no longer pending
        // stagger the first ping inside the interval, so pings do not come in waves after a mass reconnect
        long interval = context.heartbeat.intervalNanos();
        nextPingNanos = now() + ThreadLocalRandom.current().nextLong(interval / 10, interval + 1);
        context.hub.open(this, identity.username());
    }

    // --- heartbeat, driven by the loop's HeartbeatMonitor --------------------------------------------

    /**
     * @param now       the loop's ticker
     * @param wallMillis the hub's wall clock, read once per sweep: a JWT's {@code exp} is wall-clock time
     */
    boolean needsAttention(long now, long wallMillis) {
        return switch (state) {
            case AWAITING_HELLO, AUTHENTICATING -> now - helloDeadlineNanos >= 0 || silentTooLong(now);
            // no ping before the welcome, which must be the first data frame
            case OPEN -> (welcomed && now - nextPingNanos >= 0) || silentTooLong(now) || stuckTooLong(now)
                    || expired(wallMillis);
            case CLOSED -> false;
        };
    }

    /** The JWT the session was opened with has passed its {@code exp}; kept in the identity, no field here. */
    private boolean expired(long wallMillis) {
        return identity.expires() && wallMillis >= identity.expiresAt();
    }

    private boolean silentTooLong(long now) {
        return now - lastInboundNanos > context.heartbeat.deadAfterNanos();
    }

    private boolean stuckTooLong(long now) {
        return backedUp && now - unwritableSinceNanos > context.heartbeat.deadAfterNanos();
    }

    void attend(long now, long wallMillis) {
        if (state == State.OPEN && expired(wallMillis)) {
            log.info("Token expired, closing: {}", describe());
            closeWith(CloseCodes.UNAUTHORIZED, "token expired");
        } else if (state == State.AWAITING_HELLO) {
            context.metrics.authFailure();
            closeWith(CloseCodes.HELLO_TIMEOUT, "no hello in time");
        } else if (state == State.AUTHENTICATING) {
            // the hello came; the server was too slow to check it: not the client's fault
            closeWith(CloseCodes.RESTARTING, "authentication took too long; try again");
        } else if (state == State.OPEN && stuckTooLong(now)) {
            closeSlowConsumer("outbound queue full for " + (now - unwritableSinceNanos) / 1_000_000 + " ms");
        } else if (state == State.OPEN && silentTooLong(now)) {
            long silentMillis = (now - lastInboundNanos) / 1_000_000;
            log.info("Stale connection detected: {} (silent for {} ms)", describe(), silentMillis);
            context.metrics.staleConnection(silentMillis);
            state = State.CLOSED;
            endReason = EndReason.TIMED_OUT; // the wait has already happened: offline at once
            channel.writeAndFlush(new CloseWebSocketFrame(CloseCodes.GOING_AWAY, "heartbeat timeout"));
            channel.close();
        } else if (state == State.OPEN) {
            nextPingNanos = now + context.heartbeat.intervalNanos();
            write(new TextWebSocketFrame(Unpooled.wrappedBuffer(Frames.PING)));
            channel.flush();
        }
    }

    // --- inbound ------------------------------------------------------------------------------------

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
        long now = now();
        lastInboundNanos = now; // any frame proves the connection is alive
        if (state == State.CLOSED) {
            if (frame instanceof CloseWebSocketFrame) {
                channel.close(); // the client answered our close frame: the handshake is done
            }
            return;
        }
        // every frame counts, control frames and empty fragments included: each costs the same work to read
        if (overRateLimit(now)) {
            context.metrics.rateLimited();
            log.warn("Rate limit exceeded, closing: {}", describe());
            closeWith(CloseCodes.RATE_LIMITED, "rate limit exceeded");
            // a flood is not read any further; the close handshake's timer ends the connection
            channel.config().setAutoRead(false);
            return;
        }
        if (frame instanceof CloseWebSocketFrame) {
            endReason = EndReason.CLOSED;
            state = State.CLOSED;
            channel.writeAndFlush(new CloseWebSocketFrame(CloseCodes.NORMAL, "")).addListener(ChannelFutureListener.CLOSE);
        } else if (frame instanceof PingWebSocketFrame ping) {
            write(new PongWebSocketFrame(ping.content().retain()));
            channel.flush();
        } else if (frame instanceof PongWebSocketFrame) {
            // already counted as a sign of life
        } else {
            onDataFrame(frame);
        }
    }

    /** A text, binary or continuation frame: a whole message, or one fragment of it. */
    private void onDataFrame(WebSocketFrame frame) {
        ByteBuf content = frame.content();
        boolean first = !(frame instanceof ContinuationWebSocketFrame);
        if (first && frame.isFinalFragment()) {
            onMessage(frame instanceof TextWebSocketFrame, content);
            return;
        }
        if (first) {
            fragmentsAreText = frame instanceof TextWebSocketFrame;
            fragments = channel.alloc().buffer(content.readableBytes());
        } else if (fragments == null) {
            return; // cannot happen: the frame decoder fails a connection that sends a stray continuation
        }
        if (fragments.readableBytes() + content.readableBytes() > GatewayContext.MAX_FRAME_BYTES) {
            releaseFragments();
            log.info("Message over 64 KiB from {}: closing with 1009", describe());
            closeWith(CloseCodes.TOO_BIG, "message larger than 64 KiB");
            return;
        }
        fragments.writeBytes(content);
        if (frame.isFinalFragment()) {
            ByteBuf message = fragments;
            fragments = null;
            try {
                onMessage(fragmentsAreText, message);
            } finally {
                message.release();
            }
        }
    }

    private void releaseFragments() {
        if (fragments != null) {
            fragments.release();
            fragments = null;
        }
    }

    private void onMessage(boolean text, ByteBuf content) {
        if (!text) {
            sendError("unsupported_frame", "binary frames are not supported; send JSON text frames");
        } else if (!ByteBufUtil.isText(content, StandardCharsets.UTF_8)) {
            // RFC 6455 8.1: fail the connection. Netty's check refuses overlong forms, encoded surrogates,
            // code points over U+10FFFF and sequences cut short, as the RFC's UTF-8 (RFC 3629) requires
            log.info("Text that is not UTF-8 from {}: closing with 1007", describe());
            closeWith(CloseCodes.INVALID_PAYLOAD, "text frame is not valid UTF-8");
        } else {
            onText(content);
        }
    }

    private boolean overRateLimit(long now) {
        if (now - rateWindowStartNanos >= 1_000_000_000L) {
            rateWindowStartNanos = now;
            framesInWindow = 0;
        }
        return ++framesInWindow > GatewayContext.MAX_FRAMES_PER_SECOND;
    }

    private void onText(ByteBuf content) {
        JsonNode frame;
        try {
            frame = Json.MAPPER.readTree((java.io.InputStream) new ByteBufInputStream(content));
        } catch (IOException e) {
            sendError("malformed_json", "the frame is not valid JSON");
            return;
        }
        JsonNode typeNode = frame == null ? null : frame.get("type");
        if (typeNode == null || !typeNode.isTextual()) {
            sendError("bad_frame", "a frame must be a JSON object with a string field \"type\"");
            return;
        }
        String type = typeNode.asText();
        switch (type) {
            case "pong" -> { /* counted above */ }
            case "hello" -> onHello(frame);
            default -> sendError("unknown_type", "unknown frame type '" + truncate(type) + "'");
        }
    }

    private void onHello(JsonNode frame) {
        if (state != State.AWAITING_HELLO) {
            sendError("unexpected_hello", "hello is only accepted as the first frame of an unauthenticated"
                    + " connection");
            return;
        }
        JsonNode token = frame.get("token");
        if (token == null || !token.isTextual() || token.asText().isEmpty()) {
            context.metrics.authFailure();
            closeWith(CloseCodes.UNAUTHORIZED, "hello without a token");
            return;
        }
        authenticate(token.asText());
    }

    private void sendError(String code, String message) {
        byte[] error = Frames.error(code, message);
        if (!welcomed && state != State.AWAITING_HELLO) {
            // authenticating, or the welcome is on its way from the hub: it must be the first data frame.
            // Bounded: at most 50 frames a second (the flood limit) until the welcome or the hello deadline.
            if (heldReplies == null) {
                heldReplies = new ArrayList<>(2);
            }
            heldReplies.add(error);
            return;
        }
        write(new TextWebSocketFrame(Unpooled.wrappedBuffer(error)));
        channel.flush();
    }

    private static String truncate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof TooLongFrameException) {
            log.info("Frame over 64 KiB from {}: closing with 1009", describe());
            closeWith(CloseCodes.TOO_BIG, "frame larger than 64 KiB");
            return;
        }
        if (cause instanceof CorruptedWebSocketFrameException) {
            // a protocol violation (bad masking, bad opcode, ...): the decoder has sent its close frame
            endReason = EndReason.CLOSED;
            state = State.CLOSED;
            log.info("Protocol violation by {}: {}", describe(), cause.getMessage());
        } else if (!(cause instanceof IOException)) {
            log.warn("Unexpected error on a WebSocket of {}", describe(), cause);
        }
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        boolean wasOpen = identity != null;
        state = State.CLOSED;
        releaseFragments();
        releasePendingStatuses();
        heldReplies = null;
        context.monitor(channel.eventLoop()).remove(this);
        context.metrics.connectionClosed();
        if (wasOpen) {
            context.hub.end(this, endReason, lastHeardMillis());
        }
    }

    /**
     * When anything last arrived, on the wall clock (the hub's time). The silence since then is measured on
     * the monotonic ticker and taken from the wall clock's now, so a step of the wall clock while the
     * connection was silent can neither lengthen nor shorten the silence.
     */
    private long lastHeardMillis() {
        long silentNanos = Math.max(0, now() - lastInboundNanos);
        return context.clock.millis() - TimeUnit.NANOSECONDS.toMillis(silentNanos);
    }

    private long now() {
        return channel.eventLoop().ticker().nanoTime();
    }

    private String describe() {
        return identity == null ? "unauthenticated connection" : identity.username();
    }

    @Override
    public String toString() {
        return "Connection[" + sessionId + ", " + describe() + "]";
    }
}
