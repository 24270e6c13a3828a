package dev.presence.server;

import dev.presence.server.config.RateLimits;
import dev.presence.server.config.RateLimits.Rate;
import dev.presence.server.support.Api.Account;
import dev.presence.server.support.TestServer;
import dev.presence.server.support.WsProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** One client that stops reading must not hold anyone else up: it is closed, the others keep receiving. */
class SlowConsumerTest {

    @TempDir
    Path dataDir;

    @Test
    void aClientThatStopsReadingIsClosedAndNobodyElseWaits() throws Exception {
        // posts as fast as the server takes them, past the per-user message limit
        RateLimits unlimited = RateLimits.defaults().withMessagesPerUser(new Rate(1_000_000, Duration.ofSeconds(1)));
        try (TestServer server = TestServer.create().shortHeartbeat().dataDir(dataDir)
                .with(b -> b.rateLimits(unlimited)).start()) {
            Account ann = server.api().signUp("ann");
            Account bob = server.api().signUp("bob");
            String thread = server.api().threadOf("busy", ann, bob);
            WsProbe a = WsProbe.online("ann", server.wsUri(), ann.token());

            try (Socket stuck = new Socket()) {
                stuck.setReceiveBufferSize(4096); // before connect, so the window stays small
                stuck.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()));
                String key = Base64.getEncoder().encodeToString(new byte[16]);
                stuck.getOutputStream().write(("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                        + "Connection: Upgrade\r\nSec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n"
                        + "Authorization: Bearer " + bob.token() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                readHeaders(stuck.getInputStream()); // the 101; from here on bob reads nothing
                a.awaitStatus(bob.id(), true);
                // but bob keeps answering, so the heartbeat sees a live client: only its queue can tell
                ScheduledExecutorService pongs = Executors.newSingleThreadScheduledExecutor();
                pongs.scheduleAtFixedRate(() -> sendPong(stuck), 0, 100, TimeUnit.MILLISECONDS);

                String text = "x".repeat(3900);
                int sent = 0;
                while (!server.api().get("/metrics", null).raw().contains("presence_slow_consumers_total 1.0")
                        && sent < 3000) {
                    server.api().post("/api/threads/" + thread + "/messages", ann.token(), "{\"text\":\"" + text + sent
                            + "\"}");
                    sent++;
                }
                int last = sent - 1;
                // ann got every message, the last one too: the stuck client held nobody up
                a.await(f -> f.path("message").path("text").asText().endsWith("x" + last), Duration.ofSeconds(10));
                await().atMost(Duration.ofSeconds(10)).until(() -> server.api().get("/metrics", null).raw()
                        .contains("presence_slow_consumers_total 1.0"));
                assertThat(server.api().get("/metrics", null).raw()).contains("presence_stale_connections_total 0.0");
                pongs.shutdownNow();
            }
            a.close();
        }
    }

    /** A client frame {"type":"pong"}, masked with a zero key as RFC 6455 requires of clients. */
    private static void sendPong(Socket socket) {
        byte[] payload = "{\"type\":\"pong\"}".getBytes(StandardCharsets.US_ASCII);
        byte[] frame = new byte[2 + 4 + payload.length];
        frame[0] = (byte) 0x81;
        frame[1] = (byte) (0x80 | payload.length);
        System.arraycopy(payload, 0, frame, 6, payload.length);
        try {
            socket.getOutputStream().write(frame);
        } catch (Exception closed) {
            // the server closed it: expected in the end
        }
    }

    private static void readHeaders(InputStream in) throws Exception {
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IllegalStateException("closed during the handshake");
            }
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
    }
}
