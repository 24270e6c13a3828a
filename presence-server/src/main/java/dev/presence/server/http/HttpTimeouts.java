package dev.presence.server.http;

import dev.presence.server.web.HttpResponses;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Deadlines of an HTTP connection, so that one that sends nothing, or trickles a request a byte at a time,
 * cannot hold a connection (and the slot it takes) for ever:
 * <ul>
 * <li>a request, head and body, must arrive within the request timeout of its first bytes; else it is
 *     answered 408 and the connection closes;</li>
 * <li>a new connection must start its first request within the request timeout, and a keep-alive connection
 *     its next one within the keep-alive timeout of the last answer; else it is closed without an answer
 *     (nothing was asked);</li>
 * <li>while the server works on a request, nothing is timed: that is the server's time, not the client's.</li>
 * </ul>
 * Sits right after the HTTP codec, so it sees decoded requests coming in and whole responses going out; a
 * read that decoded nothing tells it that a request has begun. It is removed at the WebSocket upgrade (the
 * hello timeout and the heartbeat take over). One timer at a time, moved lazily: when it fires early it is
 * set again for the deadline as it then stands. Time is the event loop's ticker, so tests run it on virtual
 * time.
 */
public final class HttpTimeouts extends ChannelDuplexHandler {

    private static final long NONE = Long.MIN_VALUE;

    private final long requestTimeoutNanos;
    private final long keepAliveTimeoutNanos;
    /** A request has begun (bytes came) and its last content has not arrived yet. */
    private boolean receiving;
    /** The head of the request being received has been decoded (it is among {@link #unanswered}). */
    private boolean headSeen;
    /** Requests whose head arrived and whose answer has not been written yet. */
    private int unanswered;
    /** An answer has been written: waiting now is keep-alive, not a first request. */
    private boolean answeredOnce;
    /** Something was decoded during the current read. */
    private boolean decodedThisRead;
    /** The response being written is informational (100 Continue): it answers nothing. */
    private boolean informational;
    /** Start of the current wait: the first bytes of the request being received, or the start of idleness. */
    private long sinceNanos;
    private ScheduledFuture<?> timer;
    /** When {@link #timer} fires. */
    private long timerAtNanos;
    private ChannelHandlerContext ctx;

    public HttpTimeouts(Duration requestTimeout, Duration keepAliveTimeout) {
        this.requestTimeoutNanos = requestTimeout.toNanos();
        this.keepAliveTimeoutNanos = keepAliveTimeout.toNanos();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        sinceNanos = now();
        reschedule();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancel();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancel();
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        decodedThisRead = true;
        if (msg instanceof HttpRequest) {
            if (!receiving) {
                receiving = true;
                sinceNanos = now();
            }
            headSeen = true;
            unanswered++;
        }
        if (msg instanceof LastHttpContent) {
            receiving = false;
            headSeen = false;
            if (unanswered == 0) {
                sinceNanos = now(); // answered early (413): idle from now on
            }
        }
        ctx.fireChannelRead(msg);
        if (!ctx.isRemoved()) {
            reschedule();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // bytes came but no part of a request was decoded: the head of a new request is on its way
        if (!decodedThisRead && !receiving) {
            receiving = true;
            headSeen = false;
            sinceNanos = now();
            reschedule();
        }
        decodedThisRead = false;
        ctx.fireChannelReadComplete();
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof HttpResponse response) {
            informational = response.status().codeClass() == HttpStatusClass.INFORMATIONAL;
        }
        if (msg instanceof LastHttpContent && !informational) {
            unanswered = Math.max(0, unanswered - 1);
            answeredOnce = true;
            if (!receiving && unanswered == 0) {
                sinceNanos = now();
            }
            reschedule();
        }
        ctx.write(msg, promise);
    }

    /** When the connection times out as things stand, or {@link #NONE}. */
    private long deadline() {
        if (receiving) {
            return sinceNanos + requestTimeoutNanos;
        }
        if (unanswered > 0) {
            return NONE;
        }
        return sinceNanos + (answeredOnce ? keepAliveTimeoutNanos : requestTimeoutNanos);
    }

    private void reschedule() {
        long deadline = deadline();
        if (deadline == NONE || !ctx.channel().isActive()) {
            return;
        }
        if (timer != null && deadline - timerAtNanos < 0) {
            cancel(); // the deadline came closer (bytes after a keep-alive wait): the timer would fire late
        }
        if (timer == null) {
            timerAtNanos = deadline;
            timer = ctx.executor().schedule(this::expire, Math.max(0, deadline - now()),
                    TimeUnit.NANOSECONDS);
        }
    }

    private void expire() {
        timer = null;
        if (ctx.isRemoved() || !ctx.channel().isActive()) {
            return;
        }
        long deadline = deadline();
        if (deadline == NONE) {
            return; // the server is working on a request; the timer is set again after its answer
        }
        if (deadline - now() > 0) {
            reschedule(); // the deadline moved since the timer was set
            return;
        }
        // a 408 only when it answers the request being received and nothing else is owed before it
        if (receiving && unanswered == (headSeen ? 1 : 0)) {
            HttpResponses.error(ctx, false, 408, "request_timeout", "the request did not arrive within "
                    + TimeUnit.NANOSECONDS.toMillis(requestTimeoutNanos) + " ms");
        } else {
            ctx.close();
        }
    }

    /** The event loop's clock (virtual in tests on an {@code EmbeddedChannel}). */
    private long now() {
        return ctx.executor().ticker().nanoTime();
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
