package dev.presence.server.http;

import dev.presence.server.web.HttpResponses;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The request and keep-alive deadlines of an HTTP connection, on the event loop's virtual time. */
class HttpTimeoutsTest {

    private static final long REQUEST_MS = 1_000;
    private static final long KEEP_ALIVE_MS = 5_000;
    private static final String GET = "GET /x HTTP/1.1\r\nHost: h\r\n\r\n";

    private EmbeddedChannel channel;
    /** Set while a request to /slow waits for the test to answer it. */
    private ChannelHandlerContext held;

    @BeforeEach
    void open() {
        channel = new EmbeddedChannel();
        channel.freezeTime();
        channel.pipeline().addLast("codec", new HttpServerCodec())
                .addLast("timeouts", new HttpTimeouts(Duration.ofMillis(REQUEST_MS), Duration.ofMillis(KEEP_ALIVE_MS)))
                .addLast("keepAlive", new HttpServerKeepAliveHandler())
                .addLast("aggregator", new HttpObjectAggregator(1024))
                .addLast("app", new SimpleChannelInboundHandler<FullHttpRequest>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
                        if (request.uri().equals("/slow")) {
                            held = ctx;
                        } else {
                            HttpResponses.json(ctx, true, 200, null);
                        }
                    }

                    @Override
                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                        ctx.close(); // as HttpHandler: a request cut short by the close is no error
                    }
                });
    }

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    private void send(String text) {
        channel.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII));
    }

    private void after(long millis) {
        channel.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
    }

    /** Everything written to the client so far. */
    private String written() {
        StringBuilder out = new StringBuilder();
        for (ByteBuf b; (b = channel.readOutbound()) != null; ) {
            out.append(b.toString(StandardCharsets.US_ASCII));
            b.release();
        }
        return out.toString();
    }

    @Test
    void aConnectionThatSendsNothingIsClosedAfterTheRequestTimeoutWithoutAnAnswer() {
        after(REQUEST_MS - 1);
        assertThat(channel.isOpen()).isTrue();
        after(1);
        assertThat(channel.isOpen()).isFalse();
        assertThat(written()).isEmpty();
    }

    @Test
    void aRequestTrickledByteByByteIsAnswered408WhenItsTimeIsUp() {
        String head = "GET /x HTTP/1.1\r\nHost: h\r\nX-Slow: ";
        for (int i = 0; i < head.length(); i++) {
            send(head.substring(i, i + 1));
            after(REQUEST_MS / head.length() / 2); // each byte in good time: only the whole is late
        }
        assertThat(channel.isOpen()).isTrue();
        after(REQUEST_MS);
        assertThat(written()).startsWith("HTTP/1.1 408").contains("\"code\":\"request_timeout\"")
                .contains("connection: close");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aBodyThatStopsHalfWayIsAnswered408() {
        send("POST /x HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\nContent-Length: 10\r\n\r\n{\"a\"");
        after(REQUEST_MS);
        assertThat(written()).startsWith("HTTP/1.1 408");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aRequestSentInPiecesInTimeIsServed() {
        send("GET /x HT");
        after(REQUEST_MS / 2);
        send("TP/1.1\r\nHost: h\r\n\r\n");
        assertThat(written()).startsWith("HTTP/1.1 200");
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void anIdleKeepAliveConnectionIsClosedAfterTheKeepAliveTimeoutNotTheRequestTimeout() {
        send(GET);
        assertThat(written()).startsWith("HTTP/1.1 200");
        after(KEEP_ALIVE_MS - 1);
        assertThat(channel.isOpen()).isTrue();
        after(1);
        assertThat(channel.isOpen()).isFalse();
        assertThat(written()).as("nothing was asked: nothing is answered").isEmpty();
    }

    @Test
    void theNextRequestOnAKeepAliveConnectionHasTheRequestTimeoutFromItsFirstByte() {
        send(GET);
        written();
        after(KEEP_ALIVE_MS - 100);
        send("GET /x HTTP/1.1\r\n");
        after(REQUEST_MS - 1);
        assertThat(channel.isOpen()).isTrue();
        after(1);
        assertThat(written()).startsWith("HTTP/1.1 408");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void theServersOwnTimeOnARequestIsNotTheClients() {
        send("GET /slow HTTP/1.1\r\nHost: h\r\n\r\n");
        after(KEEP_ALIVE_MS * 10);
        assertThat(channel.isOpen()).isTrue();
        HttpResponses.json(held, true, 200, null);
        assertThat(written()).startsWith("HTTP/1.1 200");
        after(KEEP_ALIVE_MS - 1);
        assertThat(channel.isOpen()).isTrue();
        after(1);
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void manyRequestsInTimeKeepTheConnection() {
        for (int i = 0; i < 20; i++) {
            send(GET);
            assertThat(written()).startsWith("HTTP/1.1 200");
            after(KEEP_ALIVE_MS - 10);
        }
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void removedAtTheUpgradeItTimesNothingMore() {
        channel.pipeline().remove("timeouts");
        after(KEEP_ALIVE_MS * 10);
        assertThat(channel.isOpen()).isTrue();
    }
}
