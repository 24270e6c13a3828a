package dev.presence.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.presence.server.chat.Passwords;
import dev.presence.server.store.JdbcChatStore;
import dev.presence.server.support.Api.Account;
import dev.presence.server.support.Api.Reply;
import dev.presence.server.support.TestServer;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Passwords (Argon2id, every character, bcrypt re-hashed at login) and the names and titles people see. */
class AccountsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dataDir;
    private TestServer server;

    @BeforeEach
    void start() {
        server = TestServer.create().shortHeartbeat().dataDir(dataDir).start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static String json(Map<String, String> fields) {
        try {
            return JSON.writeValueAsString(fields);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private Reply logIn(String username, String password) {
        return server.api().post("/api/sessions", null, json(Map.of("username", username, "password", password)));
    }

    private static void assertInvalid(Reply reply, String field, String codePoint) {
        assertThat(reply.status()).as(reply.raw()).isEqualTo(400);
        assertThat(reply.body().path("error").path("code").asText()).isEqualTo("invalid_request");
        assertThat(reply.body().path("error").path("message").asText()).contains(field).contains(codePoint);
    }

    @Test
    void aPasswordDifferingOnlyAfterByte72DoesNotLogIn() {
        String password = "p".repeat(99) + "1"; // 100 characters
        assertThat(server.api().post("/api/users", null, json(Map.of("username", "ann", "password", password)))
                .status()).isEqualTo(201);

        assertThat(logIn("ann", "p".repeat(99) + "2").status()).isEqualTo(401);
        assertThat(logIn("ann", "p".repeat(72)).status()).isEqualTo(401);
        assertThat(logIn("ann", password).status()).isEqualTo(201);
    }

    @Test
    void aUserWithABcryptHashLogsInAndIsThenStoredAsArgon2id() {
        server.stop();
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        String bcrypt = OpenBSDBCrypt.generate("2y", "old-password-1".toCharArray(), salt, 4);
        try (JdbcChatStore store = JdbcChatStore.embedded(dataDir)) {
            store.createUser("old", bcrypt, "Old Timer"); // as an earlier version stored it
        }
        server.start();

        assertThat(logIn("old", "wrong-password").status()).isEqualTo(401);
        Reply login = logIn("old", "old-password-1");
        assertThat(login.status()).as(login.raw()).isEqualTo(201);
        assertThat(server.api().get("/api/me", login.text("token")).text("username")).isEqualTo("old");
        server.stop();

        try (JdbcChatStore store = JdbcChatStore.embedded(dataDir)) {
            String stored = store.findCredentials("old").orElseThrow().passwordHash();
            assertThat(stored).startsWith("$argon2id$");
            assertThat(Passwords.matches("old-password-1", stored)).isTrue();
        }
        server.start();
        assertThat(logIn("old", "old-password-1").status()).isEqualTo(201); // and it still works
    }

    @Test
    void namesAndTitlesRefuseControlCharactersAndBidirectionalOverrides() {
        assertInvalid(server.api().post("/api/users", null, json(Map.of("username", "eve", "password", "secret-pass",
                "display_name", "Eve\u202Egnp.exe"))), "display_name", "U+202E");
        assertThat(logIn("eve", "secret-pass").status()).isEqualTo(401); // no user was made

        Account ann = server.api().signUp("ann");
        assertInvalid(server.api().call("PATCH", "/api/me", ann.token(),
                json(Map.of("display_name", "\u001b]0;pwned\u0007Ann"))), "display_name", "U+001B");
        assertInvalid(server.api().call("PATCH", "/api/me", ann.token(),
                json(Map.of("display_name", "Ann\u2067"))), "display_name", "U+2067");
        assertInvalid(server.api().post("/api/threads", ann.token(), json(Map.of("title", "line\nbreak"))),
                "title", "U+000A");
        assertInvalid(server.api().post("/api/threads", ann.token(), json(Map.of("title", "team\u202Aside"))),
                "title", "U+202A");
        assertInvalid(server.api().post("/api/threads", ann.token(), json(Map.of("title", "\u0085next"))),
                "title", "U+0085");
        assertThat(server.api().get("/api/threads", ann.token()).body()).isEmpty();
        assertThat(server.api().get("/api/me", ann.token()).text("display_name")).isEqualTo("ann");

        Reply renamed = server.api().call("PATCH", "/api/me", ann.token(), json(Map.of("display_name", "مرحبا Ann")));
        assertThat(renamed.status()).isEqualTo(200);
        assertThat(renamed.text("display_name")).isEqualTo("مرحبا Ann");
        Reply thread = server.api().post("/api/threads", ann.token(), json(Map.of("title", "שלום 日本語 👋🏽")));
        assertThat(thread.status()).isEqualTo(201);
        assertThat(thread.text("title")).isEqualTo("שלום 日本語 👋🏽");
    }
}
