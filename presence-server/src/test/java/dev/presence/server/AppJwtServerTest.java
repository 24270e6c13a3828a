package dev.presence.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.presence.server.config.ServerConfig;
import dev.presence.server.support.Api.Account;
import dev.presence.server.support.Api.Reply;
import dev.presence.server.support.TestJwts;
import dev.presence.server.support.TestServer;
import dev.presence.server.support.WsProbe;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The app's JWTs on a real server (integration mode): accepted over HTTP and WebSocket (header and {@code hello})
 * wherever a login token is, the user made on first use and named by the token, refused with 401/4401 when bad,
 * a socket closed with 4401 at {@code exp}, and a revocation that closes older tokens' sockets and refuses them
 * while newer ones are accepted. Tokens are signed in the test ({@link TestJwts}).
 */
class AppJwtServerTest {

    @TempDir
    Path dir;
    private TestServer server;
    private final List<WsProbe> probes = new ArrayList<>();

    private void start(Consumer<ServerConfig.Builder> changes) {
        server = TestServer.create().shortHeartbeat().with(changes).start();
    }

    private void startWithSecret() {
        start(b -> b.jwtSecretFile(TestJwts.secretFile(dir)));
    }

    @AfterEach
    void stop() {
        probes.forEach(WsProbe::close);
        if (server != null) {
            server.close();
        }
    }

    private WsProbe connect(String name, String token) {
        WsProbe probe = WsProbe.connect(name, server.wsUri(), token);
        probes.add(probe);
        return probe;
    }

    private WsProbe hello(String name, String token) {
        WsProbe probe = WsProbe.connectAnonymous(name, server.wsUri());
        probes.add(probe);
        probe.send("{\"type\":\"hello\",\"token\":\"" + token + "\"}");
        return probe;
    }

    private static void assertUnauthorized(Reply reply) {
        assertThat(reply.status()).as(reply.raw()).isEqualTo(401);
        assertThat(reply.body().path("error").path("code").asText()).isEqualTo("unauthorized");
        assertThat(reply.body().path("error").path("message").asText()).isNotBlank();
    }

    private static Date in(long millis) {
        return new Date(System.currentTimeMillis() + millis);
    }

    @Test
    void aValidJwtWorksOverHttpAndBothWebSocketWaysAndMakesTheUserOnFirstUse() {
        startWithSecret();
        String token = TestJwts.hs256(TestJwts.claims("shop:ann-1", b -> b.claim("name", "Ann from the shop")));

        Reply me = server.api().get("/api/me", token);
        assertThat(me.status()).as(me.raw()).isEqualTo(200);
        assertThat(me.body().path("id").asText()).isEqualTo("shop:ann-1");
        assertThat(me.body().path("username").asText()).isEqualTo("shop:ann-1");
        assertThat(me.body().path("display_name").asText()).isEqualTo("Ann from the shop");

        JsonNode welcome = connect("header", token).awaitType("welcome");
        assertThat(welcome.path("user_id").asText()).isEqualTo("shop:ann-1");
        JsonNode helloWelcome = hello("hello", TestJwts.hs256("shop:bob-2")).awaitType("welcome");
        assertThat(helloWelcome.path("user_id").asText()).as("made on first use over a WebSocket too")
                .isEqualTo("shop:bob-2");
        assertThat(server.api().get("/api/me", TestJwts.hs256("shop:bob-2")).body().path("display_name").asText())
                .isEqualTo("shop:bob-2");
    }

    @Test
    void aNewNameInTheTokenUpdatesTheDisplayNameAndTellsTheUsersSessions() {
        startWithSecret();
        WsProbe ann = connect("ann", TestJwts.hs256(TestJwts.claims("ann", b -> b.claim("name", "Ann"))));
        ann.awaitType("welcome");

        Reply me = server.api().get("/api/me", TestJwts.hs256(TestJwts.claims("ann", b -> b.claim("name", "Ann B."))));

        assertThat(me.body().path("display_name").asText()).isEqualTo("Ann B.");
        JsonNode updated = ann.awaitType("user_profile_updated");
        assertThat(updated.path("user").path("display_name").asText()).isEqualTo("Ann B.");
        // no name: the name stays
        assertThat(server.api().get("/api/me", TestJwts.hs256("ann")).body().path("display_name").asText())
                .isEqualTo("Ann B.");
    }

    @Test
    void badJwtsAre401OverHttpAnd4401OverWebSocket() {
        startWithSecret();
        List<String> bad = List.of(
                TestJwts.hs256(TestJwts.claims("ann", b -> b.expirationTime(in(-5_000)))),
                TestJwts.hs256(TestJwts.claims("ann", b -> b.notBeforeTime(in(120_000)))),
                TestJwts.hs256(TestJwts.claims("ann", b -> b.issueTime(in(120_000)))),
                TestJwts.hs256(TestJwts.claims("ann", b -> b.expirationTime(null))),
                TestJwts.hs256(TestJwts.claims("bad sub", b -> { })),
                TestJwts.rs256(TestJwts.claims("ann", b -> { })), // RS token, HS config
                TestJwts.unsigned(TestJwts.claims("ann", b -> { })),
                tampered(TestJwts.hs256("ann")),
                "not.a.jwt");
        for (String token : bad) {
            assertUnauthorized(server.api().get("/api/me", token));
        }
        for (String token : bad.subList(0, 3)) {
            assertThat(connect("bad", token).awaitClose()).isEqualTo(4401);
        }
        assertThat(hello("bad hello", bad.get(6)).awaitClose()).isEqualTo(4401);
        String huge = TestJwts.hs256(TestJwts.claims("ann", b -> b.claim("pad", "x".repeat(9_000))));
        assertThat(hello("huge", huge).awaitClose()).isEqualTo(4401);
    }

    private static String tampered(String token) {
        String[] parts = token.split("\\.");
        String payload = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                TestJwts.claims("admin", b -> { }).toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return parts[0] + "." + payload + "." + parts[2];
    }

    @Test
    void theIdOfAUserWhoSignedUpHereIsRefused() {
        startWithSecret();
        Account carl = server.api().signUp("carl");

        assertUnauthorized(server.api().get("/api/me", TestJwts.hs256(carl.id())));
        assertThat(connect("as carl", TestJwts.hs256(carl.id())).awaitClose()).isEqualTo(4401);
        assertThat(server.api().get("/api/me", carl.token()).status()).as("login tokens work as before")
                .isEqualTo(200);
    }

    @Test
    void withAnRsaPublicKeyRs256IsAcceptedAndHs256Refused() {
        start(b -> b.jwtPublicKeyFile(TestJwts.publicKeyFile(dir)));
        assertThat(server.api().get("/api/me", TestJwts.rs256(TestJwts.claims("rs-user", b -> { }))).status())
                .isEqualTo(200);
        assertUnauthorized(server.api().get("/api/me", TestJwts.hs256("rs-user")));
    }

    @Test
    void aJwtSocketIsClosedWith4401WhenItExpires() {
        startWithSecret();
        // exp has whole seconds: 3 s from the next whole second
        long exp = (System.currentTimeMillis() / 1000 + 3) * 1000;
        WsProbe probe = connect("short", TestJwts.hs256(TestJwts.claims("brief", b -> b.expirationTime(new Date(exp)))));
        probe.awaitType("welcome");

        assertThat(probe.awaitClose()).isEqualTo(4401);
        assertThat(System.currentTimeMillis()).as("not before exp").isGreaterThanOrEqualTo(exp);
    }

    @Test
    void aRevocationClosesOlderJwtSocketsAndRefusesOlderJwtsWhileNewerOnesWork() {
        startWithSecret();
        String old = TestJwts.hs256(TestJwts.claims("dan", b -> b.issueTime(in(-5_000))));
        String older = TestJwts.hs256(TestJwts.claims("dan", b -> b.issueTime(in(-10_000))));
        String undated = TestJwts.hs256(TestJwts.claims("dan", b -> b.issueTime(null)));
        WsProbe socket = connect("dan", old);
        socket.awaitType("welcome");

        // "log out everywhere" with a JWT revokes the user's sessions (the server API's revoke does the same)
        assertThat(server.api().call("DELETE", "/api/sessions", old, null).status()).isEqualTo(204);

        assertThat(socket.awaitClose()).isEqualTo(4401);
        assertUnauthorized(server.api().get("/api/me", old));
        assertUnauthorized(server.api().get("/api/me", older));
        assertUnauthorized(server.api().get("/api/me", undated));
        assertThat(hello("older", older).awaitClose()).isEqualTo(4401);
        // issued after the revocation's second (iat within the leeway's future)
        String fresh = TestJwts.hs256(TestJwts.claims("dan", b -> b.issueTime(in(2_000))));
        assertThat(server.api().get("/api/me", fresh).status()).isEqualTo(200);
        connect("dan again", fresh).awaitType("welcome");
    }

    @Test
    void loginTokensWorkAsBeforeWhenJwtsAreAccepted() {
        startWithSecret();
        Account eve = server.api().signUp("eve");
        assertThat(server.api().get("/api/me", eve.token()).status()).isEqualTo(200);
        connect("eve", eve.token()).awaitType("welcome");
    }

    @Test
    void aServerWithABadKeyFileRefusesToStartWithOneLine() throws Exception {
        Path shortSecret = Files.writeString(dir.resolve("short"), "tiny\n");
        ServerConfig config = ServerConfig.defaults().with(b -> b.port(0).dataDir(dir.resolve("data"))
                .jwtSecretFile(shortSecret));
        assertThatThrownBy(() -> PresenceServer.start(config)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--jwt-secret-file").hasMessageContaining("at least 32 bytes")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        Path notPem = Files.writeString(dir.resolve("key.pem"), "ssh-rsa AAAA...\n");
        ServerConfig withKey = ServerConfig.defaults().with(b -> b.port(0).dataDir(dir.resolve("data"))
                .jwtPublicKeyFile(notPem));
        assertThatThrownBy(() -> PresenceServer.start(withKey)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--jwt-public-key-file").hasMessageContaining("PEM");
        assertThat(dir.resolve("data")).as("nothing opened").doesNotExist();
    }
}
