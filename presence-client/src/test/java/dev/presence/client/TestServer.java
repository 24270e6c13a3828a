package dev.presence.client;

import dev.presence.client.api.ChatThread;
import dev.presence.client.api.Invitation;
import dev.presence.client.api.PresenceApi;
import dev.presence.client.api.Session;
import dev.presence.server.PresenceServer;
import dev.presence.server.config.ServerConfig;
import dev.presence.testkit.FaultProxy;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;

/** A real server on a random port with short heartbeats, a fault proxy in front of it, and helpers to set users up. */
final class TestServer implements AutoCloseable {

    static final Duration INTERVAL = Duration.ofMillis(300);
    static final Duration TIMEOUT = Duration.ofMillis(300);
    static final Duration ROOMY_INTERVAL = Duration.ofSeconds(1);
    static final Duration ROOMY_TIMEOUT = Duration.ofSeconds(2);
    static final String PASSWORD = "correct-horse-1";

    final ServerConfig config;
    PresenceServer server;
    final FaultProxy proxy;

    /** A server with the short heartbeat (300 ms + 300 ms) that half-open detection is measured against. */
    TestServer(Path dataDir) throws Exception {
        this(dataDir, INTERVAL, TIMEOUT);
    }

    /**
     * @param interval and {@code timeout}: tests that do not measure liveness use a roomier heartbeat, so that a
     *                 pause of a busy build machine does not end a connection they count on
     */
    TestServer(Path dataDir, Duration interval, Duration timeout) throws Exception {
        config = ServerConfig.defaults().with(b -> b.port(0).dataDir(dataDir).heartbeat(interval, timeout)
                .offlineGrace(Duration.ofMillis(200)));
        server = PresenceServer.start(config);
        proxy = new FaultProxy(server.port());
    }

    /** Stops the server (clients get 1012) and starts a new one on the same port and data. */
    void restart() throws Exception {
        int port = server.port();
        server.close();
        server = PresenceServer.start(config.with(b -> b.port(port)));
    }

    PresenceApi anonymous() {
        return PresenceApi.create(server.httpUri());
    }

    /** Signs {@code username} up and logs in; the API talks to the server directly, not through the proxy. */
    PresenceApi user(String username) {
        anonymous().signUp(username, PASSWORD, null);
        Session session = anonymous().logIn(username, PASSWORD);
        return anonymous().withToken(session.token());
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

    URI wsViaProxy() {
        return URI.create("ws://127.0.0.1:" + proxy.port() + "/ws");
    }

    /** A client with a quick backoff (0.2 s doubling to 2 s, jittered) so tests do not wait out the real schedule. */
    PresenceClient.Builder client(URI ws, PresenceApi api, long seed) {
        return PresenceClient.builder(ws, api.token().orElseThrow())
                .backoff(new Backoff(Duration.ofMillis(200), Duration.ofSeconds(2), 0.5, new Random(seed)))
                .handshakeTimeout(Duration.ofSeconds(3));
    }

    PresenceClient.Builder clientViaProxy(PresenceApi api, long seed) {
        return client(wsViaProxy(), api, seed);
    }

    PresenceClient.Builder clientDirect(PresenceApi api, long seed) {
        return client(server.wsUri(), api, seed);
    }

    @Override
    public void close() {
        proxy.close();
        server.close();
    }
}
