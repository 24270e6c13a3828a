package dev.presence.server;

import dev.presence.server.support.Api.Account;
import dev.presence.server.support.TestServer;
import dev.presence.server.support.WsProbe;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import dev.presence.server.config.ServerConfig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Tokens expire after their last use, a user holds a bounded number, and logouts stick, also across restarts. */
class TokenLifetimeTest {

    @TempDir
    Path dataDir;
    private TestServer server;
    private final List<WsProbe> probes = new ArrayList<>();

    private void start(Consumer<ServerConfig.Builder> changes) {
        server = TestServer.create().shortHeartbeat().dataDir(dataDir).with(changes).start();
    }

    @AfterEach
    void stop() {
        probes.forEach(WsProbe::close);
        if (server != null) {
            server.close();
        }
    }

    private WsProbe online(String name, String token) {
        WsProbe probe = WsProbe.online(name, server.wsUri(), token);
        probes.add(probe);
        return probe;
    }

    private int closeCodeOfNewSocket(String token) {
        WsProbe probe = WsProbe.connect("late", server.wsUri(), token);
        probes.add(probe);
        return probe.awaitClose();
    }

    private String logIn(String username) {
        var login = server.api().post("/api/sessions", null,
                "{\"username\":\"" + username + "\",\"password\":\"secret-pass\"}");
        assertThat(login.status()).as(login.raw()).isEqualTo(201);
        return login.text("token");
    }

    private int me(String token) {
        return server.api().get("/api/me", token).status();
    }

    /** Lets time pass (the ttl is the thing under test; there is no event to wait for). */
    private static void idleFor(Duration duration) {
        await().pollDelay(duration).atMost(duration.plusSeconds(5)).until(() -> true);
    }

    @Test
    void aTokenInUseStaysValidAndExpiresOnceIdleForTheTtl() {
        Duration ttl = Duration.ofSeconds(3);
        start(b -> b.tokenTtl(ttl));
        Account ann = server.api().signUp("ann");

        long end = System.nanoTime() + 2 * ttl.toNanos() + Duration.ofSeconds(1).toNanos();
        while (System.nanoTime() < end) { // used for more than twice the ttl: the expiry slides
            assertThat(me(ann.token())).isEqualTo(200);
            idleFor(Duration.ofMillis(400));
        }
        online("ann", ann.token()).close(); // a WebSocket authentication is a use too

        idleFor(ttl.plusMillis(500));

        assertThat(me(ann.token())).isEqualTo(401);
        assertThat(closeCodeOfNewSocket(ann.token())).isEqualTo(4401);
        assertThat(me(logIn("ann"))).isEqualTo(200); // logging in again works
    }

    @Test
    void aNewLoginBeyondTheLimitRevokesTheOldestTokenAndClosesItsSockets() {
        start(b -> b.maxTokensPerUser(2));
        Account ann = server.api().signUp("ann"); // token 1
        Account bob = server.api().signUp("bob");
        WsProbe first = online("ann-1", ann.token());
        WsProbe bobs = online("bob", bob.token());

        String second = logIn("ann");
        assertThat(me(ann.token())).isEqualTo(200);
        String third = logIn("ann");

        assertThat(first.awaitClose()).isEqualTo(4401);
        assertThat(me(ann.token())).isEqualTo(401);
        assertThat(me(second)).isEqualTo(200);
        assertThat(me(third)).isEqualTo(200);
        assertThat(me(bob.token())).isEqualTo(200);
        assertThat(bobs.isClosed()).isFalse();
    }

    @Test
    void loggingOutEverywhereRevokesEveryTokenAndClosesEverySocket() {
        start(b -> { });
        Account ann = server.api().signUp("ann");
        Account bob = server.api().signUp("bob");
        server.api().threadOf("team", ann, bob);
        String phone = logIn("ann");
        WsProbe laptop = online("ann-laptop", ann.token());
        WsProbe mobile = online("ann-phone", phone);
        WsProbe watcher = online("bob", bob.token()); // its welcome shows ann online

        assertThat(server.api().call("DELETE", "/api/sessions", phone, null).status()).isEqualTo(204);

        assertThat(laptop.awaitClose()).isEqualTo(4401);
        assertThat(mobile.awaitClose()).isEqualTo(4401);
        watcher.awaitStatus(ann.id(), false);
        assertThat(me(ann.token())).isEqualTo(401);
        assertThat(me(phone)).isEqualTo(401);
        assertThat(closeCodeOfNewSocket(phone)).isEqualTo(4401);
        assertThat(me(bob.token())).isEqualTo(200);
        assertThat(watcher.isClosed()).isFalse();
        assertThat(server.api().call("DELETE", "/api/sessions", phone, null).status()).isEqualTo(401);
        assertThat(me(logIn("ann"))).isEqualTo(200);
    }

    @Test
    void aLoggedOutTokenStaysRevokedAfterARestart() {
        start(b -> { });
        Account ann = server.api().signUp("ann");
        Account bob = server.api().signUp("bob");
        String bobsPhone = logIn("bob");
        String kept = logIn("ann");
        assertThat(me(ann.token())).isEqualTo(200); // remembered by the cache before the logout

        assertThat(server.api().call("DELETE", "/api/sessions/current", ann.token(), null).status()).isEqualTo(204);
        assertThat(server.api().call("DELETE", "/api/sessions", bob.token(), null).status()).isEqualTo(204);
        server.stop();
        server.start();

        assertThat(me(ann.token())).isEqualTo(401);
        assertThat(closeCodeOfNewSocket(ann.token())).isEqualTo(4401);
        assertThat(me(bob.token())).isEqualTo(401);
        assertThat(me(bobsPhone)).isEqualTo(401);
        assertThat(me(kept)).isEqualTo(200); // a token nobody revoked survives the restart
    }
}
