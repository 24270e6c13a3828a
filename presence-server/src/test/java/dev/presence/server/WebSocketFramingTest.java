package dev.presence.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.presence.server.support.Api.Account;
import dev.presence.server.support.RawWebSocket;
import dev.presence.server.support.RawWebSocket.Frame;
import dev.presence.server.support.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static dev.presence.server.support.RawWebSocket.BINARY;
import static dev.presence.server.support.RawWebSocket.CONTINUATION;
import static dev.presence.server.support.RawWebSocket.PING;
import static dev.presence.server.support.RawWebSocket.PONG;
import static dev.presence.server.support.RawWebSocket.TEXT;
import static dev.presence.server.support.RawWebSocket.frame;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The WebSocket frame rules, with frames written byte by byte on a plain socket: text that is not UTF-8
 * (whole or in fragments) closes with 1007, every frame counts toward the flood limit (empty continuation
 * fragments and control frames too), fragmented messages are held to 64 KiB, and the {@code welcome} is the
 * first data frame even when the client speaks at once.
 */
class WebSocketFramingTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Well above the 4429 limit's 50 frames, small enough to sit in the socket buffers unread. */
    private static final int FLOOD = 2_000;
    /** Prompt, with slack for a busy two-core machine. */
    private static final Duration PROMPTLY = Duration.ofSeconds(5);

    private TestServer server;
    private Account ann;

    /**
     * A heartbeat and hello deadline of the defaults' length: these clients answer no pings, and on a busy
     * machine the fixture's 800 ms of allowed silence can pass between the upgrade and a test's first frame.
     */
    @BeforeEach
    void start(@TempDir Path dataDir) {
        server = TestServer.create().shortHeartbeat().dataDir(dataDir).with(b -> b
                .heartbeat(Duration.ofSeconds(20), Duration.ofSeconds(10)).helloTimeout(Duration.ofSeconds(10)))
                .start();
        ann = server.api().signUp("ann");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private RawWebSocket welcomed() throws IOException {
        RawWebSocket ws = RawWebSocket.connect(server.port(), ann.token());
        assertThat(type(ws.readText())).isEqualTo("welcome");
        return ws;
    }

    /** The next text frame that is not a heartbeat {@code ping}. */
    private static Frame nextReply(RawWebSocket ws) throws IOException {
        Frame frame = ws.readText();
        while (frame != null && frame.opcode() == TEXT && type(frame).equals("ping")) {
            frame = ws.readText();
        }
        return frame;
    }

    private static String code(Frame reply) throws IOException {
        assertThat(type(reply)).isEqualTo("error");
        return JSON.readTree(reply.payload()).path("code").asText();
    }

    private static String type(Frame frame) throws IOException {
        assertThat(frame).as("a text frame before the connection ended").isNotNull();
        assertThat(frame.opcode()).as("a text frame, not a close with %s", frame.closeCode()).isEqualTo(TEXT);
        return JSON.readTree(frame.payload()).path("type").asText();
    }

    private static byte[] bytes(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object part : parts) {
            if (part instanceof String s) {
                out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
            } else {
                for (int b : (int[]) part) {
                    out.write(b);
                }
            }
        }
        return out.toByteArray();
    }

    private static int[] raw(int... b) {
        return b;
    }

    /** Each case: a message as the fragments it is sent in. */
    static Stream<Arguments> notUtf8() {
        return Stream.of(
                Arguments.of("an invalid byte (FF)", List.of(bytes("{\"type\":\"", raw(0xFF), "\"}"))),
                Arguments.of("a continuation byte alone (80)", List.of(bytes("{\"type\":\"", raw(0x80), "\"}"))),
                Arguments.of("an overlong slash (C0 AF)", List.of(bytes("{\"type\":\"", raw(0xC0, 0xAF), "\"}"))),
                Arguments.of("an overlong 3-byte form (E0 80 AF)",
                        List.of(bytes("{\"type\":\"", raw(0xE0, 0x80, 0xAF), "\"}"))),
                Arguments.of("an overlong 4-byte form (F0 80 80 AF)",
                        List.of(bytes("{\"type\":\"", raw(0xF0, 0x80, 0x80, 0xAF), "\"}"))),
                Arguments.of("an encoded surrogate (ED A0 80)",
                        List.of(bytes("{\"type\":\"", raw(0xED, 0xA0, 0x80), "\"}"))),
                Arguments.of("a code point above U+10FFFF (F4 90 80 80)",
                        List.of(bytes("{\"type\":\"", raw(0xF4, 0x90, 0x80, 0x80), "\"}"))),
                Arguments.of("a sequence cut at the end (E2 82)", List.of(bytes("{\"type\":\"x\"}", raw(0xE2, 0x82)))),
                Arguments.of("a surrogate split across fragments",
                        List.of(bytes("{\"type\":\"", raw(0xED)), bytes(raw(0xA0, 0x80), "\"}"))),
                Arguments.of("an overlong form split across fragments",
                        List.of(bytes("{\"type\":\"", raw(0xC0)), bytes(), bytes(raw(0xAF), "\"}"))),
                Arguments.of("a sequence cut at the end of the last fragment",
                        List.of(bytes("{\"type\":\"x\"}"), bytes(raw(0xF0, 0x9F, 0x98)))));
    }

    private static byte[] message(int opcode, List<byte[]> fragments) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < fragments.size(); i++) {
            out.writeBytes(frame(i == fragments.size() - 1, i == 0 ? opcode : CONTINUATION, fragments.get(i)));
        }
        return out.toByteArray();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("notUtf8")
    void textThatIsNotUtf8ClosesWith1007(String what, List<byte[]> fragments) throws IOException {
        try (RawWebSocket ws = welcomed()) {
            ws.sendRaw(message(TEXT, fragments));

            assertThat(ws.awaitClose(PROMPTLY)).isEqualTo(1007);
        }
    }

    @Test
    void textThatIsNotUtf8ClosesWith1007AlsoBeforeAuthentication() throws IOException {
        try (RawWebSocket ws = RawWebSocket.connect(server.port(), null)) {
            ws.sendRaw(message(TEXT, List.of(bytes("{\"type\":\"hello\",\"token\":\"", raw(0xC0, 0xAF), "\"}"))));

            assertThat(ws.awaitClose(PROMPTLY)).isEqualTo(1007);
        }
    }

    @Test
    void validUtf8SplitInsideACharacterIsOneMessageAndTheConnectionStays() throws IOException {
        try (RawWebSocket ws = welcomed()) {
            // € is E2 82 AC and 😀 is F0 9F 98 80; each is cut between fragments, one of them empty
            ws.sendRaw(message(TEXT, List.of(bytes("{\"type\":\"", raw(0xE2, 0x82)), bytes(raw(0xAC, 0xF0)), bytes(),
                    bytes(raw(0x9F, 0x98, 0x80), "\"}"))));

            Frame reply = nextReply(ws);
            assertThat(code(reply)).isEqualTo("unknown_type");
            assertThat(JSON.readTree(reply.payload()).path("message").asText()).contains("€😀");
            ws.sendText("{\"type\":\"hello\",\"token\":\"x\"}");
            assertThat(code(nextReply(ws))).isEqualTo("unexpected_hello");
        }
    }

    @Test
    void aFloodOfEmptyContinuationFragmentsIsClosedWith4429Promptly() throws IOException {
        try (RawWebSocket ws = welcomed()) {
            ByteArrayOutputStream flood = new ByteArrayOutputStream();
            flood.writeBytes(frame(false, TEXT, bytes("{\"type\":\"pong\"")));
            byte[] empty = frame(false, CONTINUATION, new byte[0]);
            for (int i = 0; i < FLOOD; i++) {
                flood.writeBytes(empty);
            }
            ws.sendRaw(flood.toByteArray());

            assertThat(ws.awaitClose(PROMPTLY)).isEqualTo(4429);
        }
        assertThat(server.api().get("/metrics", null).raw()).contains("presence_rate_limited_total 1.0");
    }

    @ParameterizedTest(name = "opcode {0}")
    @ValueSource(ints = {PING, PONG})
    void aFloodOfControlFramesIsClosedWith4429Promptly(int opcode) throws IOException {
        try (RawWebSocket ws = welcomed()) {
            byte[] control = frame(true, opcode, bytes("are you there"));
            ByteArrayOutputStream flood = new ByteArrayOutputStream();
            for (int i = 0; i < FLOOD; i++) {
                flood.writeBytes(control);
            }
            ws.sendRaw(flood.toByteArray());

            assertThat(ws.awaitClose(PROMPTLY)).isEqualTo(4429);
        }
    }

    @Test
    void fragmentsTogetherOver64KiBCloseWith1009() throws IOException {
        try (RawWebSocket ws = welcomed()) {
            byte[] part = new byte[40 * 1024];
            Arrays.fill(part, (byte) 'a');
            ws.sendRaw(message(TEXT, List.of(part, part)));

            assertThat(ws.awaitClose(PROMPTLY)).isEqualTo(1009);
        }
    }

    @Test
    void aFragmentedBinaryMessageGetsOneErrorAndTheConnectionStays() throws IOException {
        try (RawWebSocket ws = welcomed()) {
            ws.sendRaw(message(BINARY, List.of(new byte[] {1, 2}, new byte[] {(byte) 0xC0}, new byte[0])));
            ws.sendText("{\"type\":\"hello\",\"token\":\"x\"}");

            assertThat(code(nextReply(ws))).isEqualTo("unsupported_frame");
            assertThat(code(nextReply(ws))).isEqualTo("unexpected_hello");
        }
    }

    /**
     * The token check runs on a worker, and the welcome comes from the hub thread; frames the client sends
     * meanwhile used to get their error first. Many tries, since each is a race.
     */
    @Test
    void theWelcomeIsTheFirstDataFrameEvenWhenTheClientSpeaksAtOnce() throws IOException {
        byte[] early = concat(frame(true, TEXT, bytes("{\"type\":\"hello\",\"token\":\"" + ann.token() + "\"}")),
                frame(true, PING, bytes("hi")),
                frame(true, TEXT, bytes("{\"type\":\"nonsense\"}")),
                frame(false, TEXT, bytes("not ")), frame(true, CONTINUATION, bytes("json")));
        for (int attempt = 0; attempt < 40; attempt++) {
            try (RawWebSocket ws = RawWebSocket.connect(server.port(), ann.token())) {
                ws.sendRaw(early);

                assertThat(type(ws.readText())).as("first data frame of attempt %d", attempt).isEqualTo("welcome");
                // and the replies to the early frames follow, in order
                for (String code : List.of("unexpected_hello", "unknown_type", "malformed_json")) {
                    assertThat(code(nextReply(ws))).isEqualTo(code);
                }
            }
        }
    }

    private static byte[] concat(byte[]... frames) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] f : frames) {
            out.writeBytes(f);
        }
        return out.toByteArray();
    }
}
