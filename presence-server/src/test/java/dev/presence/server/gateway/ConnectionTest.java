package dev.presence.server.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.presence.core.EndReason;
import dev.presence.core.UserStatus;
import dev.presence.server.domain.Identity;
import dev.presence.server.metrics.ServerMetrics;
import dev.presence.server.presence.LiveSession;
import dev.presence.server.protocol.Frames;
import dev.presence.server.protocol.OutboundFrame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link Connection} on an embedded channel and virtual time: the event loop's ticker is a mock that only the
 * test moves, so the heartbeat, the hello deadline, the flood window, slow consumers and the close handshake
 * are checked to the millisecond, without a socket and without waiting.
 */
class ConnectionTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long WALL_START = 1_700_000_000_000L;
    private static final Duration INTERVAL = Duration.ofSeconds(20);
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final Duration HELLO_TIMEOUT = Duration.ofSeconds(10);
    private static final Identity ANN = new Identity("u-ann", "ann", "hash-ann");

    private final MockTicker ticker = Ticker.newMockTicker();
    private final long tickerStart = ticker.nanoTime();
    private final FakeHub hub = new FakeHub();
    /** The token check in progress; the test completes it. */
    private final CompletableFuture<Optional<Identity>> tokenCheck = new CompletableFuture<>();
    private final ServerMetrics metrics = new ServerMetrics();
    private final GatewayContext context = new GatewayContext(hub, token -> tokenCheck, metrics,
            Heartbeat.ofMillis(INTERVAL.toMillis(), TIMEOUT.toMillis()), HELLO_TIMEOUT.toMillis(), List.of(),
            this::wallMillis);
    private final EmbeddedChannel channel = EmbeddedChannel.builder().ticker(ticker).build();

    @AfterEach
    void finish() {
        channel.finishAndReleaseAll();
    }

    // --- the fixture ---------------------------------------------------------------------------------

    /** The hub as a connection sees it: records what it is told; sends the welcome when the test says so. */
    static final class FakeHub implements Hub {
        final List<LiveSession> opened = new ArrayList<>();
        final List<String> ended = new ArrayList<>();
        long lastHeardMillis = -1;

        @Override
        public void open(LiveSession session, String username) {
            opened.add(session);
        }

        @Override
        public void end(LiveSession session, EndReason reason, long lastHeardMillis) {
            ended.add(session.sessionId() + " " + reason);
            this.lastHeardMillis = lastHeardMillis;
        }

        /** Sends the welcome as the real hub does: a task on the session's event loop. */
        void welcome(LiveSession session) {
            session.executor().execute(() -> {
                session.send(Unpooled.copiedBuffer("{\"type\":\"welcome\"}", StandardCharsets.UTF_8));
                session.flush();
            });
        }
    }

    private long wallMillis() {
        return WALL_START + TimeUnit.NANOSECONDS.toMillis(ticker.nanoTime() - tickerStart);
    }

    private long elapsedMillis() {
        return TimeUnit.NANOSECONDS.toMillis(ticker.nanoTime() - tickerStart);
    }

    private Connection connect(String headerToken) {
        Connection connection = new Connection(context, channel, headerToken);
        channel.pipeline().addLast(connection);
        channel.runPendingTasks(); // the heartbeat monitor starts its sweep
        return connection;
    }

    // --- delivery: frames encoded once, one flush per pass, statuses batched --------------------------

    private static OutboundFrame status(String userId, boolean online, long version) {
        return OutboundFrame.status(Frames.statusChanged(new UserStatus(userId, online, 1_000, version), 2_000),
                UnpooledByteBufAllocator.DEFAULT);
    }

    @Test
    void aLoneStatusGoesOutAsItsSharedFrameAndTheConnectionKeepsNoReference() throws IOException {
        Connection connection = open();
        OutboundFrame bob = status("bob", true, 7);

        connection.send(bob);
        assertThat(next()).as("held until the end of the loop's pass").isNull();
        channel.runPendingTasks();

        JsonNode frame = JSON.readTree(((TextWebSocketFrame) next()).text());
        assertThat(frame.path("type").asText()).isEqualTo("user_status_changed");
        assertThat(frame.path("user_id").asText()).isEqualTo("bob");
        assertThat(next()).isNull();
        assertThat(bob.frame().refCnt()).as("only the sender's own reference is left").isEqualTo(1);
        bob.frame().release();
    }

    @Test
    void statusesPendingTogetherGoOutAsOneBatchInOrderAndAnotherEventAfterThem() throws IOException {
        Connection connection = open();
        OutboundFrame bob = status("bob", true, 7);
        OutboundFrame cy = status("cy", false, 8);
        OutboundFrame bobAgain = status("bob", false, 9);
        OutboundFrame event = OutboundFrame.of("{\"type\":\"app.ping\"}".getBytes(StandardCharsets.UTF_8),
                UnpooledByteBufAllocator.DEFAULT);

        connection.send(bob);
        connection.send(cy);
        connection.send(bobAgain);
        connection.send(event); // the statuses before it are written first, in one batch
        channel.runPendingTasks();

        JsonNode batch = JSON.readTree(((TextWebSocketFrame) next()).text());
        assertThat(batch.path("type").asText()).isEqualTo("status_batch");
        assertThat(batch.path("statuses")).extracting(s -> s.path("user_id").asText() + "/" + s.path("version").asLong()
                + "/" + s.path("is_online").asBoolean() + "/" + s.path("last_seen").asLong() + "/"
                + s.path("timestamp").asLong()).containsExactly("bob/7/true/1000/2", "cy/8/false/1000/2",
                "bob/9/false/1000/2");
        assertThat(type(next())).isEqualTo("app.ping");
        assertThat(next()).isNull();
        for (OutboundFrame f : List.of(bob, cy, bobAgain, event)) {
            assertThat(f.frame().refCnt()).isEqualTo(1);
            f.frame().release();
        }
    }

    @Test
    void statusesHeldWhenTheConnectionClosesAreReleased() {
        Connection connection = open();
        OutboundFrame bob = status("bob", true, 7);
        OutboundFrame cy = status("cy", true, 8);
        connection.send(bob);
        connection.send(cy);

        channel.close();
        channel.runPendingTasks();

        assertThat(bob.frame().refCnt()).isEqualTo(1);
        assertThat(cy.frame().refCnt()).isEqualTo(1);
        bob.frame().release();
        cy.frame().release();
    }

    /** A header-authenticated connection that has had its welcome. */
    private Connection open() {
        return open(ANN);
    }

    private Connection open(Identity identity) {
        Connection connection = connect("good");
        tokenCheck.complete(Optional.of(identity));
        channel.runPendingTasks();
        assertThat(hub.opened).containsExactly(connection);
        hub.welcome(connection);
        channel.runPendingTasks();
        assertThat(type(next())).isEqualTo("welcome");
        return connection;
    }

    /** Moves virtual time forward in small steps, running the sweeps and timers that fall due on the way. */
    private void advance(Duration duration) {
        long step = TimeUnit.MILLISECONDS.toNanos(50);
        for (long left = duration.toNanos(); left > 0; left -= step) {
            ticker.advance(Math.min(step, left), TimeUnit.NANOSECONDS);
            channel.runPendingTasks();
            channel.runScheduledPendingTasks();
        }
    }

    private void receive(WebSocketFrame frame) {
        channel.writeInbound(frame);
        channel.runPendingTasks();
    }

    private void receiveText(String text) {
        receive(new TextWebSocketFrame(text));
    }

    /** The next frame the connection wrote, or null; a frame it wrote pre-encoded is decoded (and released). */
    private WebSocketFrame next() {
        Object out = channel.readOutbound();
        if (out instanceof ByteBuf encoded) {
            try {
                assertThat((int) encoded.readUnsignedByte()).as("final text frame").isEqualTo(0x81);
                int length = encoded.readUnsignedByte();
                assertThat(length & 0x80).as("server frames are not masked").isZero();
                length = length == 126 ? encoded.readUnsignedShort() : length == 127 ? (int) encoded.readLong() : length;
                assertThat(encoded.readableBytes()).isEqualTo(length);
                return new TextWebSocketFrame(encoded.toString(StandardCharsets.UTF_8));
            } finally {
                encoded.release();
            }
        }
        return (WebSocketFrame) out;
    }

    /** Everything the connection wrote since the last look, released. */
    private List<String> drain() {
        List<String> frames = new ArrayList<>();
        for (WebSocketFrame frame = next(); frame != null; frame = next()) {
            frames.add(describe(frame));
        }
        return frames;
    }

    private static String describe(WebSocketFrame frame) {
        try {
            if (frame instanceof CloseWebSocketFrame close) {
                return "close " + close.statusCode();
            }
            if (frame instanceof TextWebSocketFrame text) {
                return type(text);
            }
            return frame.getClass().getSimpleName();
        } finally {
            frame.release();
        }
    }

    private static String type(WebSocketFrame frame) {
        assertThat(frame).isInstanceOf(TextWebSocketFrame.class);
        try {
            JsonNode json = JSON.readTree(((TextWebSocketFrame) frame).text());
            String type = json.path("type").asText();
            return type.equals("error") ? "error " + json.path("code").asText() : type;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    // --- authentication ------------------------------------------------------------------------------

    @Test
    void noHelloWithinTheHelloTimeoutClosesWith4408() {
        connect(null);

        advance(HELLO_TIMEOUT.minusMillis(100));
        assertThat(drain()).isEmpty();
        advance(Duration.ofMillis(600)); // the deadline, and the sweep after it

        assertThat(drain()).containsExactly("close 4408");
        assertThat(hub.opened).isEmpty();
    }

    @Test
    void anUnknownTokenClosesWith4401() {
        connect("forged");
        tokenCheck.complete(Optional.empty());
        channel.runPendingTasks();

        assertThat(drain()).containsExactly("close 4401");
        assertThat(hub.opened).isEmpty();
    }

    @Test
    void aHelloIsCheckedAndOpensTheSession() {
        Connection connection = connect(null);
        receiveText("{\"type\":\"hello\",\"token\":\"good\"}");
        tokenCheck.complete(Optional.of(ANN));
        channel.runPendingTasks();

        assertThat(hub.opened).containsExactly(connection);
        assertThat(connection.userId()).isEqualTo("u-ann");
    }

    // --- welcome first -------------------------------------------------------------------------------

    @Test
    void repliesToFramesBeforeTheWelcomeWaitForItAndNoPingGoesFirst() {
        Connection connection = connect("good");
        receiveText("{\"type\":\"nonsense\"}");                  // while the token is checked
        tokenCheck.complete(Optional.of(ANN));
        channel.runPendingTasks();
        receiveText("{\"type\":\"hello\",\"token\":\"again\"}");  // after the check, before the hub's welcome
        receive(new PingWebSocketFrame(Unpooled.wrappedBuffer(new byte[] {1})));
        advance(INTERVAL.plusSeconds(1));                          // a heartbeat ping would be due by now

        assertThat(drain()).as("only the control frame answer; no data frame before the welcome")
                .containsExactly("PongWebSocketFrame");

        hub.welcome(connection);
        channel.runPendingTasks();
        assertThat(drain()).containsExactly("welcome", "error unknown_type", "error unexpected_hello");
        advance(Duration.ofMillis(500));
        assertThat(drain()).containsExactly("ping");
    }

    @Test
    void beforeAHelloErrorsAreSentAtOnceSinceNoWelcomeIsComing() {
        connect(null);
        receiveText("{\"type\":\"nonsense\"}");

        assertThat(drain()).containsExactly("error unknown_type");
    }

    // --- flood limit ---------------------------------------------------------------------------------

    @Test
    void the51stFrameInOneSecondClosesWith4429CountingControlFramesAndFragments() {
        open();
        receive(new TextWebSocketFrame(false, 0, Unpooled.copiedBuffer("{\"type\":", StandardCharsets.UTF_8)));
        for (int i = 0; i < 24; i++) {
            receive(new ContinuationWebSocketFrame(false, 0, Unpooled.EMPTY_BUFFER));
            receive(new PongWebSocketFrame());
        }
        assertThat(drain()).isEmpty();

        receive(new ContinuationWebSocketFrame(false, 0, Unpooled.EMPTY_BUFFER)); // the 50th
        assertThat(drain()).isEmpty();
        receive(new PingWebSocketFrame());                                          // the 51st

        assertThat(drain()).containsExactly("close 4429");
        assertThat(channel.config().isAutoRead()).as("a flood is not read any further").isFalse();
        assertThat(metrics.scrape()).contains("presence_rate_limited_total 1.0");
    }

    @Test
    void fiftyFramesASecondForeverIsNotAFlood() {
        open();
        for (int second = 0; second < 5; second++) {
            for (int i = 0; i < 50; i++) {
                receive(new PongWebSocketFrame());
            }
            advance(Duration.ofSeconds(1));
        }

        assertThat(drain()).doesNotContain("close 4429");
        assertThat(channel.isActive()).isTrue();
    }

    // --- fragments and UTF-8 -------------------------------------------------------------------------

    @Test
    void fragmentsAreOneMessageAndInvalidUtf8SplitAcrossThemClosesWith1007() {
        open();
        receive(new TextWebSocketFrame(false, 0, Unpooled.wrappedBuffer(bytes("{\"type\":\"", 0xE2, 0x82))));
        receive(new ContinuationWebSocketFrame(true, 0, Unpooled.wrappedBuffer(bytes("", 0xAC, '"', '}'))));
        assertThat(drain()).containsExactly("error unknown_type"); // "€": valid once put together

        receive(new TextWebSocketFrame(false, 0, Unpooled.wrappedBuffer(bytes("{\"type\":\"", 0xED))));
        receive(new ContinuationWebSocketFrame(true, 0, Unpooled.wrappedBuffer(bytes("", 0xA0, 0x80))));

        assertThat(drain()).containsExactly("close 1007");
    }

    private static byte[] bytes(String text, int... more) {
        byte[] head = text.getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[head.length + more.length];
        System.arraycopy(head, 0, all, 0, head.length);
        for (int i = 0; i < more.length; i++) {
            all[head.length + i] = (byte) more[i];
        }
        return all;
    }

    // --- heartbeat -----------------------------------------------------------------------------------

    @Test
    void silenceForIntervalPlusTimeoutIsReapedWithTheLastFrameAsLastHeard() {
        Connection connection = open();
        advance(Duration.ofSeconds(5));
        receiveText("{\"type\":\"pong\"}");
        long lastFrameAt = wallMillis();
        drain();

        advance(INTERVAL.plus(TIMEOUT).minusMillis(100));
        assertThat(channel.isActive()).isTrue();
        assertThat(drain()).as("pinged meanwhile, not closed").contains("ping").doesNotContain("close 1001");
        advance(Duration.ofMillis(700)); // past interval + timeout, and the sweep after it

        // the first ping was staggered at random, so a second one may fall into these last 700 ms
        List<String> last = drain();
        assertThat(last).last().isEqualTo("close 1001");
        assertThat(last.subList(0, last.size() - 1)).allMatch("ping"::equals);
        assertThat(channel.isActive()).isFalse();
        assertThat(hub.ended).containsExactly(connection.sessionId() + " TIMED_OUT");
        assertThat(hub.lastHeardMillis).as("the last frame, not the moment the silence was noticed")
                .isEqualTo(lastFrameAt);
        assertThat(metrics.scrape()).contains("presence_stale_connections_total 1.0");
    }

    @Test
    void aPingGoesOutWithinTheFirstIntervalAndThenOnceEveryInterval() {
        open();
        // the first is staggered at random inside the interval, the sweep adds at most half a second
        advance(INTERVAL.plusMillis(600));
        assertThat(drain()).containsExactly("ping");
        receiveText("{\"type\":\"pong\"}");

        advance(INTERVAL.plusMillis(600));
        assertThat(drain()).containsExactly("ping");
    }

    @Test
    void aConnectionLostWithoutACloseFrameEndsAsLostWithItsLastFrameAsLastHeard() {
        Connection connection = open();
        advance(Duration.ofSeconds(3));
        receiveText("{\"type\":\"pong\"}");
        long lastFrameAt = wallMillis();
        advance(Duration.ofSeconds(4));

        channel.close(); // the peer went away: a reset, no close frame

        assertThat(hub.ended).containsExactly(connection.sessionId() + " LOST");
        assertThat(hub.lastHeardMillis).isEqualTo(lastFrameAt).isLessThan(wallMillis());
    }

    // --- slow consumers ------------------------------------------------------------------------------

    @Test
    void aQueueThatStaysOverItsHighWaterMarkForIntervalPlusTimeoutIsClosedAsASlowConsumer() {
        Connection connection = open();
        channel.unsafe().outboundBuffer().setUserDefinedWritability(1, false); // the peer stopped reading
        connection.send(Unpooled.copiedBuffer("{\"type\":\"message_created\"}", StandardCharsets.UTF_8));
        connection.flush();

        for (int i = 0; i < 6; i++) { // the client still talks, so only the queue can condemn it
            advance(Duration.ofSeconds(5));
            receiveText("{\"type\":\"pong\"}");
        }
        assertThat(channel.isActive()).isTrue();
        advance(Duration.ofSeconds(1));

        assertThat(channel.isActive()).isFalse();
        assertThat(drain()).doesNotContain("close 1001", "close 4429");
        assertThat(hub.ended).containsExactly(connection.sessionId() + " LOST");
        assertThat(metrics.scrape()).contains("presence_slow_consumers_total 1.0");
    }

    @Test
    void aQueueThatBecomesWritableAgainInTimeIsNotASlowConsumer() {
        Connection connection = open();
        channel.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
        connection.send(Unpooled.copiedBuffer("{\"type\":\"message_created\"}", StandardCharsets.UTF_8));
        advance(Duration.ofSeconds(20));
        channel.unsafe().outboundBuffer().setUserDefinedWritability(1, true);

        for (int i = 0; i < 4; i++) {
            advance(Duration.ofSeconds(5));
            receiveText("{\"type\":\"pong\"}");
        }

        assertThat(channel.isActive()).isTrue();
    }

    @Test
    void aQueuePastItsHardLimitIsClosedAtOnce() {
        Connection connection = open();
        channel.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
        ByteBuf big = Unpooled.wrappedBuffer(new byte[600 * 1024]);

        connection.send(big.retainedDuplicate()); // not flushed: still queued
        connection.send(big.retainedDuplicate());
        assertThat(channel.isActive()).isTrue();
        connection.send(big.retainedDuplicate()); // over 1 MiB queued

        assertThat(channel.isActive()).isFalse();
        assertThat(hub.ended).containsExactly(connection.sessionId() + " LOST");
        big.release();
    }

    // --- close handshake -----------------------------------------------------------------------------

    @Test
    void aServerCloseWaitsForTheClientsCloseFrame() {
        Connection connection = open();
        connection.close(4401, "token revoked");
        assertThat(drain()).containsExactly("close 4401");
        advance(Duration.ofMillis(500));
        assertThat(channel.isActive()).as("still waiting for the client's answer").isTrue();

        receive(new CloseWebSocketFrame(1000, ""));

        assertThat(channel.isActive()).isFalse();
        assertThat(hub.ended).containsExactly(connection.sessionId() + " CLOSED");
    }

    @Test
    void aJwtSessionIsClosedWith4401WhenItsExpPassesWhileAlive() {
        long exp = WALL_START + 45_000;
        Connection connection = open(new Identity("app:ann", "app:ann", "hash-jwt", WALL_START - 1000, exp));
        assertThat(connection.issuedAt()).isEqualTo(WALL_START - 1000);
        for (int i = 0; i < 8; i++) { // alive: a pong every 5 s
            advance(Duration.ofSeconds(5));
            receiveText("{\"type\":\"pong\"}");
        }
        advance(Duration.ofMillis(4_900)); // 44.9 s
        assertThat(drain()).doesNotContain("close 4401");

        advance(Duration.ofMillis(600)); // exp, and the sweep after it

        WebSocketFrame close = null;
        for (WebSocketFrame f = next(); f != null; f = next()) {
            if (f instanceof CloseWebSocketFrame) {
                close = f;
            } else {
                f.release();
            }
        }
        assertThat(close).isNotNull();
        assertThat(((CloseWebSocketFrame) close).statusCode()).isEqualTo(4401);
        assertThat(((CloseWebSocketFrame) close).reasonText()).isEqualTo("token expired");
        close.release();
        advance(Duration.ofMillis(1100)); // the close handshake's wait
        assertThat(hub.ended).containsExactly(connection.sessionId() + " CLOSED");
    }

    @Test
    void aLoginTokenSessionHasNoExpiryOfItsOwn() {
        open();
        for (int i = 0; i < 20; i++) {
            advance(Duration.ofSeconds(5));
            receiveText("{\"type\":\"pong\"}");
        }
        assertThat(drain()).doesNotContain("close 4401");
        assertThat(channel.isActive()).isTrue();
    }

    @Test
    void aServerCloseGivesUpWaitingAfterASecond() {
        Connection connection = open();
        connection.close(4401, "token revoked");
        advance(Duration.ofMillis(900));
        assertThat(channel.isActive()).isTrue();

        advance(Duration.ofMillis(200));

        assertThat(channel.isActive()).isFalse();
        assertThat(hub.ended).containsExactly(connection.sessionId() + " CLOSED");
    }

    @Test
    void aRestartCloseEndsTheSessionAsLostSoTheGraceCoversTheMoveToAnotherNode() {
        Connection connection = open();
        connection.close(1012, "server restarting");
        assertThat(drain()).containsExactly("close 1012");

        receive(new CloseWebSocketFrame(1000, "")); // the client answers as it should

        assertThat(channel.isActive()).isFalse();
        assertThat(hub.ended).containsExactly(connection.sessionId() + " LOST");
    }

    @Test
    void aClientCloseFrameIsAnsweredAndEndsTheSessionAtOnce() {
        Connection connection = open();
        advance(Duration.ofSeconds(2));

        receive(new CloseWebSocketFrame(1000, "bye"));

        assertThat(drain()).containsExactly("close 1000");
        assertThat(channel.isActive()).isFalse();
        assertThat(hub.ended).containsExactly(connection.sessionId() + " CLOSED");
        assertThat(hub.lastHeardMillis).isEqualTo(WALL_START + elapsedMillis());
    }
}
