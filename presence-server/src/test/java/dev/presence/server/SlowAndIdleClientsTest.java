package dev.presence.server;

import dev.presence.server.support.RawClient;
import dev.presence.server.support.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 8, "No client can starve the others": one address that opens idle and half-sent connections only
 * uses up its own share ({@code --max-pending-per-address}), every other address is served at once, and the
 * idle and trickling connections are closed after {@code --request-timeout}.
 */
class SlowAndIdleClientsTest {

    private static final int PER_ADDRESS = 4;
    private static final int SERVER_WIDE = 8;
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(3);
    private static final String ATTACKER = "127.0.0.1";
    private static final String NEIGHBOUR = "127.0.0.2";

    @TempDir
    Path dataDir;

    private TestServer server(int perAddress, int serverWide) {
        return TestServer.create().shortHeartbeat().dataDir(dataDir).with(b -> b.maxPendingPerAddress(perAddress)
                .maxConnections(serverWide).requestTimeout(REQUEST_TIMEOUT).keepAliveTimeout(Duration.ofSeconds(5))
                // these raw clients do not answer pings: keep the heartbeat out of the way
                .heartbeat(Duration.ofSeconds(20), Duration.ofSeconds(10)).helloTimeout(Duration.ofSeconds(1))).start();
    }

    /** Signs up and logs in from a third address, on a connection that closes after the answer. */
    private static String token(int port, String name) throws IOException {
        byte[] body = ("{\"username\":\"" + name + "\",\"password\":\"secret-pass\"}").getBytes(StandardCharsets.UTF_8);
        String json = "Content-Type: application/json\r\n";
        assertThat(RawClient.request("127.0.0.3", port, "POST", "/api/users", json, body)).startsWith("HTTP/1.1 201");
        String login = RawClient.request("127.0.0.3", port, "POST", "/api/sessions", json, body);
        assertThat(login).startsWith("HTTP/1.1 201");
        return login.replaceAll("(?s).*\"token\":\"([^\"]+)\".*", "$1");
    }

    /**
     * Connects and tells whether the server refused the connection: a refused one is reset at once (on loopback
     * the reset may even beat the end of connect()), an accepted one stays open with nothing to read. An
     * accepted one is added to {@code open}.
     */
    private static boolean refused(String source, int port, List<RawClient> open) throws IOException {
        RawClient client;
        try {
            client = RawClient.connect(source, port);
        } catch (SocketException e) {
            return true;
        }
        open.add(client);
        return client.readUntilClosed(Duration.ofMillis(700)) != null;
    }

    @Test
    void anAddressHoldingItsShareOfIdleAndHalfSentConnectionsLocksOutNobodyElse() throws Exception {
        try (TestServer server = server(PER_ADDRESS, SERVER_WIDE)) {
            int port = server.port();
            String token = token(port, "ann");
            List<RawClient> attacker = new ArrayList<>();
            // the trickling clients' pace: one byte per 50 ms, on a timer (nothing here waits for the server)
            ScheduledExecutorService pace = Executors.newSingleThreadScheduledExecutor();
            try {
                // one address opens as many connections as the server takes in all: it gets its share, the rest
                // is refused at once (the server may admit them in any order: they are accepted on two loops)
                long opened = System.nanoTime();
                int resetWhileConnecting = 0;
                for (int i = 0; i < SERVER_WIDE; i++) {
                    try {
                        attacker.add(RawClient.connect(ATTACKER, port));
                    } catch (SocketException e) {
                        resetWhileConnecting++; // on loopback the reset may beat the end of connect()
                    }
                }
                int refusedAtConnect = resetWhileConnecting;
                await().atMost(Duration.ofSeconds(5)).until(() -> refusedAtConnect
                        + attacker.stream().filter(RawClient::closedByServer).count() >= SERVER_WIDE - PER_ADDRESS);
                List<RawClient> admitted = attacker.stream().filter(c -> !c.closedByServer()).toList();
                assertThat(admitted).as("connections the address holds").hasSize(PER_ADDRESS);

                // two of them stay idle, two trickle a request head a byte at a time
                List<RawClient> tricklers = admitted.subList(2, 4);
                byte[] head = ("GET /health HTTP/1.1\r\nHost: x\r\nX-Padding: " + "a".repeat(200))
                        .getBytes(StandardCharsets.US_ASCII);
                AtomicInteger next = new AtomicInteger();
                pace.scheduleAtFixedRate(() -> {
                    int i = next.getAndIncrement();
                    if (i >= head.length) {
                        return;
                    }
                    for (RawClient c : tricklers) {
                        try {
                            c.send(new byte[] {head[i]});
                        } catch (IOException e) {
                            // closed by the server: what the test waits for
                        }
                    }
                }, 0, 50, TimeUnit.MILLISECONDS);

                // another address is served at once: the page, and a WebSocket with its welcome
                long start = System.nanoTime();
                String health = RawClient.request(NEIGHBOUR, port, "GET", "/health", "", null);
                assertThat(health).startsWith("HTTP/1.1 200").endsWith("{\"status\":\"ok\"}");
                try (RawClient ws = RawClient.connect(NEIGHBOUR, port)) {
                    assertThat(ws.upgrade(token)).startsWith("HTTP/1.1 101");
                    assertThat(ws.readFrame().path("type").asText()).isEqualTo("welcome");
                }
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));

                // the idle ones are closed without an answer, the trickling ones with a 408, after the timeout
                for (RawClient idle : admitted.subList(0, 2)) {
                    assertThat(idle.readUntilClosed(REQUEST_TIMEOUT.plusSeconds(8))).isEmpty();
                }
                for (RawClient slow : tricklers) {
                    assertThat(slow.readUntilClosed(REQUEST_TIMEOUT.plusSeconds(8))).startsWith("HTTP/1.1 408");
                }
                assertThat(Duration.ofNanos(System.nanoTime() - opened))
                        .as("not closed before the request timeout").isGreaterThanOrEqualTo(REQUEST_TIMEOUT);

                // and with them closed, the address has its share back
                assertThat(RawClient.request(ATTACKER, port, "GET", "/health", "", null)).startsWith("HTTP/1.1 200");
            } finally {
                pace.shutdownNow();
                for (RawClient c : attacker) {
                    c.close();
                }
            }
        }
    }

    @Test
    void anAuthenticatedWebSocketGivesItsSlotBackAnUnauthenticatedOneHoldsIt() throws Exception {
        try (TestServer server = server(2, 0)) {
            int port = server.port();
            String token = token(port, "bob");
            List<RawClient> open = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) { // more sessions than the share: each authenticated before the next
                    RawClient ws = RawClient.connect(NEIGHBOUR, port);
                    open.add(ws);
                    assertThat(ws.upgrade(token)).startsWith("HTTP/1.1 101");
                    assertThat(ws.readFrame().path("type").asText()).isEqualTo("welcome");
                }
                // two WebSockets waiting for their hello take the whole share...
                for (int i = 0; i < 2; i++) {
                    RawClient ws = RawClient.connect(NEIGHBOUR, port);
                    open.add(ws);
                    assertThat(ws.upgrade(null)).startsWith("HTTP/1.1 101");
                }
                assertThat(refused(NEIGHBOUR, port, open)).as("a third pending connection").isTrue();
                // ...until the hello timeout closes them (4408)
                assertThat(open.get(3).readUntilClosed(Duration.ofSeconds(10))).isNotNull();
                assertThat(open.get(4).readUntilClosed(Duration.ofSeconds(10))).isNotNull();
                assertThat(RawClient.request(NEIGHBOUR, port, "GET", "/health", "", null)).startsWith("HTTP/1.1 200");
            } finally {
                for (RawClient c : open) {
                    c.close();
                }
            }
        }
    }
}
