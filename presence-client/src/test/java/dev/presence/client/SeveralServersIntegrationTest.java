package dev.presence.client;

import dev.presence.client.api.PresenceApi;
import dev.presence.server.support.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The SDK given several real servers, over real sockets: where it connects and how fast it comes back when the
 * server it is on stops. The two servers share one in-memory database (in this JVM), so a login on one is valid on
 * the other; they do not share presence (each runs single-node), which these tests do not need: they check where
 * and when the client reconnects, not what it is told there.
 */
class SeveralServersIntegrationTest {

    private static final Duration DEADLINE = Duration.ofSeconds(20);
    /** The server's default offline grace: a client back within it causes no status event (in cluster mode). */
    private static final Duration DEFAULT_GRACE = Duration.ofSeconds(3);

    private final String database = "jdbc:h2:mem:several-servers-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";

    @RegisterExtension
    final TestServer first = TestServer.create().with(TestUsers.ROOMY_HEARTBEAT).with(b -> b.dbUrl(database));
    @RegisterExtension
    final TestServer second = TestServer.create().with(TestUsers.ROOMY_HEARTBEAT).with(b -> b.dbUrl(database));

    private final List<PresenceClient> clients = new ArrayList<>();

    @AfterEach
    void closeClients() {
        clients.forEach(PresenceClient::close);
    }

    private PresenceApi aliceOn(List<URI> bases) {
        PresenceApi anonymous = PresenceApi.create(bases);
        anonymous.signUp("alice", TestUsers.PASSWORD, null);
        return anonymous.withToken(anonymous.logIn("alice", TestUsers.PASSWORD).token());
    }

    private PresenceClient client(PresenceApi api, long seed, ConnectionListener listener) {
        PresenceClient client = PresenceClient.builder(api)
                .backoff(Backoff.standard(0.5, new Random(seed)))
                .handshakeTimeout(Duration.ofSeconds(3))
                .listener(listener)
                .build();
        clients.add(client);
        return client;
    }

    /** An address on loopback where nothing listens. */
    private static URI nobodyThere() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return URI.create("http://127.0.0.1:" + socket.getLocalPort());
        }
    }

    @Test
    void withTheFirstServerDownTheApiAndTheClientUseTheSecond() throws IOException {
        URI down = nobodyThere();
        Random seeds = new Random(5);
        int startedOnTheDeadOne = 0;
        PresenceApi alice = aliceOn(List.of(down, second.httpUri()));
        // clients start at a random address: try a few, so that some start on the one that is down
        for (int i = 0; i < 4; i++) {
            RecordingListener events = new RecordingListener();
            PresenceClient client = client(alice, seeds.nextLong(), events);
            client.connect();

            await().atMost(DEADLINE).until(client::isConnected);
            assertThat(client.currentServer()).isEqualTo(second.wsUri());
            if (events.events.stream().anyMatch(e -> e.startsWith("scheduled"))) {
                startedOnTheDeadOne++;
            }
            client.close();
        }
        assertThat(startedOnTheDeadOne).as("clients that first tried the server that is down").isPositive();
        assertThat(alice.baseUri()).as("the API stays on the server that answers").isEqualTo(second.httpUri());
    }

    @Test
    void aClientOnAServerThatStopsIsOnTheOtherWellWithinTheGrace() {
        PresenceApi alice = aliceOn(List.of(first.httpUri(), second.httpUri()));
        List<String> timeline = new CopyOnWriteArrayList<>();
        List<Long> closedAt = new CopyOnWriteArrayList<>();
        List<Long> welcomedAt = new CopyOnWriteArrayList<>();
        PresenceClient client = client(alice, 42, new ConnectionListener() {
            @Override
            public void onDisconnected(PresenceClient c, int code, String reason) {
                closedAt.add(System.nanoTime());
                timeline.add("lost " + code);
            }

            @Override
            public void onReconnectScheduled(PresenceClient c, int attempt, Duration delay) {
                timeline.add("scheduled in " + delay.toMillis() + " ms");
            }

            @Override
            public void onConnected(PresenceClient c, Welcome welcome) {
                welcomedAt.add(System.nanoTime());
                timeline.add("welcomed by " + c.currentServer());
            }
        });
        client.connect();
        await().atMost(DEADLINE).until(client::isConnected);
        URI was = client.currentServer();
        TestServer stopping = was.equals(first.wsUri()) ? first : second;
        TestServer other = stopping == first ? second : first;

        stopping.stop(); // closes every socket with 1012, as a node does on SIGTERM

        await().atMost(DEADLINE).until(() -> welcomedAt.size() == 2);
        assertThat(client.currentServer()).isEqualTo(other.wsUri());
        assertThat(timeline.get(1)).as(timeline.toString()).isEqualTo("lost " + PresenceClient.SERVICE_RESTART);
        long delay = Long.parseLong(timeline.get(2).replaceAll("\\D", ""));
        assertThat(delay).as("the quick delay after 1012").isBetween(100L, 1_000L);
        // from the close frame to the other server's welcome: the delay plus one handshake on loopback. The slack
        // is for a busy machine; what matters is staying inside the grace, which the full backoff would not
        Duration away = Duration.ofNanos(welcomedAt.get(1) - closedAt.get(0));
        assertThat(away).as(timeline.toString()).isLessThan(DEFAULT_GRACE.minusSeconds(1));
    }
}
