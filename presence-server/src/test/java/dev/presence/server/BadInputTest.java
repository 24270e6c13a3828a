package dev.presence.server;

import dev.presence.server.support.Api;
import dev.presence.server.support.Api.Account;
import dev.presence.server.support.Api.Reply;
import dev.presence.server.support.TestServer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** Inputs that once made the server answer 500 or drop the connection: each must be a clear 4xx. */
class BadInputTest {

    @RegisterExtension
    final TestServer server = TestServer.create().shortHeartbeat();
    private Api api;

    @BeforeEach
    void start() {
        api = server.api();
    }

    private static void assertClientError(Reply reply, int status) {
        assertThat(reply.status()).as(reply.raw()).isEqualTo(status);
        assertThat(reply.body().path("error").path("code").asText()).isNotBlank();
    }

    /** Sends raw bytes (what a client library would refuse to send) and returns the status line and body. */
    private String raw(String request) throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void unpairedSurrogatesAndNulCharactersAreRefused() {
        assertClientError(api.post("/api/users", null, "{\"username\":\"ann\",\"password\":\"secret-\\ud800-x\"}"),
                400);
        assertClientError(api.post("/api/sessions", null, "{\"username\":\"ann\",\"password\":\"secret-\\ud800\"}"),
                400);
        Account ann = api.signUp("ann");
        assertClientError(api.post("/api/threads", ann.token(), "{\"title\":\"a\\u0000b\"}"), 400);
        assertClientError(api.call("PATCH", "/api/me", ann.token(), "{\"display_name\":\"\\udc00\"}"), 400);
        assertClientError(api.post("/api/threads/t%00x/messages", ann.token(), "{\"text\":\"hi\"}"), 400);
    }

    @Test
    void badPercentEncodingIsA400() throws Exception {
        assertThat(raw("GET /api/%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
                .startsWith("HTTP/1.1 400").contains("\"code\":\"bad_request\"");
        assertThat(raw("GET /api/presence?user_id=%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
                .startsWith("HTTP/1.1 400");
    }

    @Test
    void anUpgradeWithoutItsKeyIsA400() throws Exception {
        assertThat(raw("GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n")).startsWith("HTTP/1.1 400").contains("bad_handshake");
        assertThat(raw("POST /ws HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")).startsWith("HTTP/1.1 400");
    }

    @Test
    void usernamesAreCaseInsensitive() {
        api.signUp("alice");
        assertClientError(api.post("/api/users", null, "{\"username\":\"Alice\",\"password\":\"secret-pass\"}"),
                409);
        Reply login = api.post("/api/sessions", null, "{\"username\":\"ALICE\",\"password\":\"secret-pass\"}");
        assertThat(login.status()).isEqualTo(201);
        assertThat(login.body().path("user").path("username").asText()).isEqualTo("alice");
    }

    @Test
    void garbageIsNotAnHttpRequestButNotACrashEither() throws Exception {
        assertThat(raw("\u0001\u0002 nonsense\r\n\r\n")).startsWith("HTTP/1.");
        assertThat(api.get("/health", null).status()).isEqualTo(200);
    }
}
