package dev.presence.server;

import dev.presence.server.support.Api.Account;
import dev.presence.server.support.RawClient;
import dev.presence.server.support.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 8, "Every bad input refused cleanly", on HTTP: overlong UTF-8, JSON with something after it, a body
 * that is not declared JSON, and a missing or doubled {@code Host}. Each is refused with a clear 4xx, and what
 * a well-behaved client sends still works.
 */
class RequestHygieneTest {

    private static final String JSON = "Content-Type: application/json\r\n";
    /** {@code C0 AF}: an overlong encoding of {@code /} that lenient decoders accept. */
    private static final byte[] OVERLONG_SLASH = {(byte) 0xC0, (byte) 0xAF};

    @RegisterExtension
    final TestServer server = TestServer.create().shortHeartbeat();

    private String request(String method, String path, String headers, byte[] body) throws Exception {
        return RawClient.request("127.0.0.1", server.port(), method, path, headers, body);
    }

    private String request(String method, String path, String headers, String body) throws Exception {
        return request(method, path, headers, body == null ? null : body.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] concat(String before, byte[] middle, String after) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(before.getBytes(StandardCharsets.UTF_8));
        out.writeBytes(middle);
        out.writeBytes(after.getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    private static String signUpBody(String name) {
        return "{\"username\":\"" + name + "\",\"password\":\"secret-pass\"}";
    }

    @Test
    void overlongUtf8InAJsonBodyIsA400() throws Exception {
        byte[] body = concat("{\"username\":\"ann\",\"password\":\"secret", OVERLONG_SLASH, "pass\"}");
        assertThat(request("POST", "/api/users", JSON, body)).startsWith("HTTP/1.1 400")
                .contains("\"code\":\"invalid_request\"").contains("UTF-8");
        // nothing was created: the same name is still free
        assertThat(request("POST", "/api/users", JSON, signUpBody("ann"))).startsWith("HTTP/1.1 201");
    }

    @Test
    void overlongUtf8OrABadSequenceInAPercentEscapedUriIsA400() throws Exception {
        Account ann = server.api().signUp("ann");
        String auth = "Authorization: Bearer " + ann.token() + "\r\n";
        assertThat(request("GET", "/api/threads/x%C0%AFy/messages", auth, (String) null))
                .startsWith("HTTP/1.1 400").contains("\"code\":\"bad_request\"");
        assertThat(request("GET", "/api/presence?user_id=%C0%AF", auth, (String) null)).startsWith("HTTP/1.1 400");
        assertThat(request("GET", "/api/presence?user_id=%ED%A0%80", auth, (String) null)).startsWith("HTTP/1.1 400");
        assertThat(request("GET", "/api/presence?user_id=%E2%82", auth, (String) null)).startsWith("HTTP/1.1 400");
        // well-formed escapes are fine
        assertThat(request("GET", "/api/threads/x%C3%A9y/messages", auth, (String) null)).startsWith("HTTP/1.1 404");
        assertThat(request("GET", "/api/presence?user_id=%E2%82%AC", auth, (String) null)).startsWith("HTTP/1.1 200");
    }

    @Test
    void aJsonBodyFollowedByAnythingElseIsA400() throws Exception {
        assertThat(request("POST", "/api/users", JSON, signUpBody("ann") + " trailing"))
                .startsWith("HTTP/1.1 400").contains("\"code\":\"invalid_request\"");
        assertThat(request("POST", "/api/users", JSON, signUpBody("ann") + "{}")).startsWith("HTTP/1.1 400");
        assertThat(request("POST", "/api/users", JSON, signUpBody("ann") + "\r\n  ")).startsWith("HTTP/1.1 201");
        // also where the call reads no body at all
        Account bob = server.api().signUp("bob");
        assertThat(request("POST", "/api/invitations/nope/accept", JSON + "Authorization: Bearer " + bob.token()
                + "\r\n", "{} x")).startsWith("HTTP/1.1 400");
    }

    @Test
    void aBodyThatIsNotDeclaredJsonIsA415() throws Exception {
        String body = signUpBody("ann");
        for (String type : new String[] {"Content-Type: text/plain\r\n", "",
                "Content-Type: application/x-www-form-urlencoded\r\n", "Content-Type: application/json-seq\r\n",
                "Content-Type: application/json; charset=iso-8859-1\r\n"}) {
            assertThat(request("POST", "/api/users", type, body)).as(type).startsWith("HTTP/1.1 415")
                    .contains("\"code\":\"unsupported_media_type\"");
        }
        assertThat(request("POST", "/api/users", "Content-Type: Application/JSON; charset=\"UTF-8\"\r\n", body))
                .startsWith("HTTP/1.1 201");
        assertThat(request("POST", "/api/sessions", "Content-Type: application/json;charset=utf-8\r\n", body))
                .startsWith("HTTP/1.1 201");
        // no body, no type needed
        assertThat(request("GET", "/api/me", "Content-Type: text/plain\r\n", (String) null))
                .startsWith("HTTP/1.1 401");
    }

    @Test
    void http11WithoutExactlyOneHostIsA400() throws Exception {
        try (RawClient client = RawClient.connect("127.0.0.1", server.port())) {
            client.send("GET /health HTTP/1.1\r\n\r\n");
            assertThat(client.readUntilClosed(java.time.Duration.ofSeconds(10))).startsWith("HTTP/1.1 400")
                    .contains("Host");
        }
        try (RawClient client = RawClient.connect("127.0.0.1", server.port())) {
            client.send("GET /health HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n");
            assertThat(client.readUntilClosed(java.time.Duration.ofSeconds(10))).startsWith("HTTP/1.1 400");
        }
        try (RawClient client = RawClient.connect("127.0.0.1", server.port())) {
            client.send("GET /health HTTP/1.1\r\nHost: a b/c\r\n\r\n");
            assertThat(client.readUntilClosed(java.time.Duration.ofSeconds(10))).startsWith("HTTP/1.1 400");
        }
        try (RawClient client = RawClient.connect("127.0.0.1", server.port())) {
            client.send("GET /health HTTP/1.0\r\n\r\n"); // HTTP/1.0 has no Host requirement
            assertThat(client.readUntilClosed(java.time.Duration.ofSeconds(10))).startsWith("HTTP/1.1 200");
        }
        assertThat(request("GET", "/health", "", (String) null)).startsWith("HTTP/1.1 200");
        assertThat(server.api().get("/health", null).status()).isEqualTo(200);
    }
}
