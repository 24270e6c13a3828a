package dev.presence.bench;

import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The baseline in this JVM: groups and user ids from the upgrade, one frame per recipient, 202 and errors. */
@Timeout(60)
class BaselineServerTest {

    private BaselineServer server;
    private Fleet fleet;
    private final ConcurrentHashMap<Integer, AtomicInteger> received = new ConcurrentHashMap<>();
    private final List<Long> stamps = java.util.Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void start() throws Exception {
        server = new BaselineServer("127.0.0.1", 0, 2);
        fleet = new Fleet("127.0.0.1", server.port(), 2, 0, 2, new Fleet.Listener() {
            @Override
            public void appEvent(Session s, long sentAtNanos, long nanos) {
                received.computeIfAbsent(s.user, k -> new AtomicInteger()).incrementAndGet();
                stamps.add(sentAtNanos);
            }
        });
        List<Session> sessions = new ArrayList<>();
        for (int u = 0; u < 20; u++) {
            Session s = fleet.newSession(u, "unused", new int[0]);
            s.wsQuery = "user=" + Ring.userId(u) + "&groups=" + DeliverCommand.groupsOf(u, List.of(5, 20));
            sessions.add(s);
        }
        assertThat(fleet.connectAll(sessions, 20, 20_000)).isEqualTo(20);
    }

    @AfterEach
    void stop() {
        fleet.close();
        server.close();
    }

    @Test
    void aGroupEventReachesEachMemberOnceWithItsStamp() throws Exception {
        try (EventPoster poster = new EventPoster("127.0.0.1", server.port(), 2, null)) {
            String tick = "\"event\":{\"type\":\"bench.tick\",\"sent_at_nanos\":";
            poster.post("/deliver", t -> "{\"group\":\"a5\"," + tick + t + "}}");
            poster.post("/deliver", t -> "{\"group\":\"a20\"," + tick + t + "}}");
            await().atMost(Duration.ofSeconds(10)).until(() -> stamps.size() == 25);
            assertThat(poster.drain(5_000)).isTrue();
            assertThat(poster.accepted.sum()).isEqualTo(2);
        }
        for (int u = 0; u < 20; u++) {
            assertThat(received.get(u).get()).as("user " + u).isEqualTo(u < 5 ? 2 : 1);
        }
        assertThat(stamps).allMatch(t -> t > 0);
    }

    @Test
    void userIdsAnswer202WithTheCountAndBadBodiesA400() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        URI deliver = URI.create("http://127.0.0.1:" + server.port() + "/deliver");
        HttpResponse<String> ok = http.send(HttpRequest.newBuilder(deliver)
                .POST(HttpRequest.BodyPublishers.ofString("{\"user_ids\":[\"u_b3\",\"u_b17\",\"nobody\"],"
                        + "\"event\":{\"type\":\"bench.tick\",\"sent_at_nanos\":1}}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(ok.statusCode()).isEqualTo(202);
        assertThat(ok.body()).isEqualTo("{\"delivered\":2}");
        await().atMost(Duration.ofSeconds(10)).until(() -> stamps.size() == 2);
        assertThat(received.keySet()).containsExactlyInAnyOrder(3, 17);

        HttpResponse<String> bad = http.send(HttpRequest.newBuilder(deliver)
                .POST(HttpRequest.BodyPublishers.ofString("{\"group\":\"a5\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("\"error\"").contains("\"code\"");
    }

    @Test
    void framesAreEncodedOnceUnmaskedWithTheRightLengthForm() {
        for (int n : new int[] {5, 125, 126, 65_535, 65_536}) {
            ByteBuf f = BaselineServer.textFrame(new byte[n]);
            try {
                assertThat((int) f.getUnsignedByte(0)).isEqualTo(0x81);
                int header = n < 126 ? 2 : n < 65_536 ? 4 : 10;
                assertThat(f.readableBytes()).isEqualTo(header + n);
                assertThat(f.getUnsignedByte(1) & 0x80).as("mask bit").isZero();
            } finally {
                f.release();
            }
        }
    }
}
