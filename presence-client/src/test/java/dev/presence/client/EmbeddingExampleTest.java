package dev.presence.client;

import dev.presence.client.api.PresenceApi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The README's embedding example, compiled and run, so it cannot rot. */
class EmbeddingExampleTest {

    @TempDir
    Path dataDir;

    @Test
    void readmeExampleWorks() throws Exception {
        try (TestServer server = new TestServer(dataDir, TestServer.ROOMY_INTERVAL, TestServer.ROOMY_TIMEOUT)) {
            PresenceApi bob = server.user("bob");
            server.user("alice");
            TestServer.thread("team", bob, server.anonymous().withToken(
                    server.anonymous().logIn("alice", TestServer.PASSWORD).token()));
            URI serverUri = server.server.httpUri();
            List<String> seen = new CopyOnWriteArrayList<>();

            // ---- the example (README)
            PresenceApi api = PresenceApi.create(serverUri).withToken(
                    PresenceApi.create(serverUri).logIn("alice", "correct-horse-1").token());
            ThreadsState threads = new ThreadsState();
            threads.load(api);                                    // GET /api/threads
            threads.addListener((snapshot, change) -> seen.add(   // once per change, immutable snapshot
                    snapshot.threads().get(0).users().toString()));
            PresenceClient client = PresenceClient.builder(api).build();
            threads.attach(client, api);                          // welcome, user_status_changed, ...
            client.connect();                                     // reconnects by itself until close()
            // ---- end of the example

            PresenceClient bobClient = PresenceClient.builder(bob).build();
            bobClient.connect();
            String bobId = bob.me().id();
            await().atMost(Duration.ofSeconds(20)).until(() -> threads.snapshot().isOnline(bobId));
            assertThat(seen).isNotEmpty();
            client.close();
            bobClient.close();
            assertThat(client.awaitClosed(Duration.ofSeconds(10))).isTrue();
            assertThat(client.state()).isEqualTo(ConnectionState.CLOSED);
        }
    }
}
