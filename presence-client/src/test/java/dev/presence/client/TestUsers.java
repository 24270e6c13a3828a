package dev.presence.client;

import dev.presence.client.api.ChatThread;
import dev.presence.client.api.Invitation;
import dev.presence.client.api.PresenceApi;
import dev.presence.server.config.ServerConfig;
import dev.presence.server.support.TestServer;
import dev.presence.testkit.FaultProxy;

import java.net.URI;
import java.time.Duration;
import java.util.Random;
import java.util.function.Consumer;

/**
 * People on a {@link TestServer}, through the SDK: signed up and logged in, in threads they have all joined, with
 * clients that reconnect quickly; and the two heartbeats the SDK's integration tests run their servers with.
 */
final class TestUsers {

    static final String PASSWORD = "correct-horse-1";

    /** {@link #SHORT_HEARTBEAT}: a silent link is dead after 600 ms. */
    static final Duration SHORT_INTERVAL = Duration.ofMillis(300);
    static final Duration SHORT_TIMEOUT = Duration.ofMillis(300);
    private static final Duration GRACE = Duration.ofMillis(200);

    /** For tests that measure how soon a dead link is noticed. */
    static final Consumer<ServerConfig.Builder> SHORT_HEARTBEAT =
            b -> b.heartbeat(SHORT_INTERVAL, SHORT_TIMEOUT).offlineGrace(GRACE);

    /**
     * For tests that do not measure liveness (1 s + 2 s), so that a pause of a busy build machine does not end a
     * connection they count on.
     */
    static final Consumer<ServerConfig.Builder> ROOMY_HEARTBEAT =
            b -> b.heartbeat(Duration.ofSeconds(1), Duration.ofSeconds(2)).offlineGrace(GRACE);

    private final TestServer server;

    TestUsers(TestServer server) {
        this.server = server;
    }

    PresenceApi anonymous() {
        return PresenceApi.create(server.httpUri());
    }

    /** Signs {@code username} up and logs in; the API talks to the server directly, never through a proxy. */
    PresenceApi signUp(String username) {
        anonymous().signUp(username, PASSWORD, null);
        return logIn(username);
    }

    /** A new login of someone signed up: another device of theirs. */
    PresenceApi logIn(String username) {
        return anonymous().withToken(anonymous().logIn(username, PASSWORD).token());
    }

    /** A thread created by {@code owner} with every one of {@code others} invited and accepted. */
    static ChatThread thread(String title, PresenceApi owner, PresenceApi... others) {
        ChatThread thread = owner.createThread(title);
        for (PresenceApi other : others) {
            Invitation invitation = owner.invite(thread.id(), other.me().username());
            other.accept(invitation.id());
        }
        return owner.thread(thread.id());
    }

    /** A client of the server itself. */
    PresenceClient.Builder clientDirect(PresenceApi api, long seed) {
        return client(server.wsUri(), api, seed);
    }

    /** A client whose network goes through {@code proxy}. */
    static PresenceClient.Builder clientVia(FaultProxy proxy, PresenceApi api, long seed) {
        return client(TestServer.wsAt(proxy.port()), api, seed);
    }

    /** A client with a quick backoff (0.2 s doubling to 2 s, jittered) so tests do not wait out the real schedule. */
    private static PresenceClient.Builder client(URI ws, PresenceApi api, long seed) {
        return PresenceClient.builder(ws, api.token().orElseThrow())
                .backoff(new Backoff(Duration.ofMillis(200), Duration.ofSeconds(2), 0.5, new Random(seed)))
                .handshakeTimeout(Duration.ofSeconds(3));
    }
}
