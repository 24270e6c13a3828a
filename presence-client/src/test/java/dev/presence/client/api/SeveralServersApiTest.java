package dev.presence.client.api;

import dev.presence.client.StubServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * {@link PresenceApi} given several base URLs: which requests go on to the next server and which never do. The
 * first server is chosen by a fixed random source so the tests know where each call starts.
 */
class SeveralServersApiTest {

    /** Always picks the first address. */
    private static final RandomGenerator FIRST = () -> 0L;

    private final List<AutoCloseable> servers = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable server : servers) {
            server.close();
        }
    }

    private StubServer stub() throws IOException {
        StubServer stub = new StubServer();
        servers.add(stub);
        return stub;
    }

    /** An address where nothing listens: connections are refused. */
    private static URI down() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return URI.create("http://127.0.0.1:" + socket.getLocalPort());
        }
    }

    /** A server that accepts each connection, reads the request, and resets the connection without an answer. */
    private URI resetting() throws IOException {
        ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        servers.add(socket);
        Thread acceptor = new Thread(() -> {
            while (!socket.isClosed()) {
                try (Socket s = socket.accept()) {
                    s.getInputStream().read(new byte[8192]);
                    s.setSoLinger(true, 0); // RST instead of FIN
                } catch (IOException e) {
                    return;
                }
            }
        }, "resetting-server");
        acceptor.setDaemon(true);
        acceptor.start();
        return URI.create("http://127.0.0.1:" + socket.getLocalPort());
    }

    private PresenceApi api(URI... bases) {
        return PresenceApi.create(List.of(bases), http, FIRST).withToken("tok");
    }

    @Test
    void aServerThatRefusesIsSkippedWhateverTheMethodAndTheNextOneIsKept() throws IOException {
        StubServer live = stub();
        live.on("POST", "/api/threads", 201, "{\"id\":\"t1\",\"title\":\"team\",\"users\":[]}");
        live.on("GET", "/api/me", 200, "{\"id\":\"u1\",\"username\":\"ada\",\"display_name\":\"Ada\"}");
        PresenceApi api = api(down(), live.uri());

        assertThat(api.createThread("team").id()).isEqualTo("t1");
        assertThat(api.baseUri()).as("the server that answered is kept").isEqualTo(live.uri());
        assertThat(api.withToken("other").baseUri()).as("also by copies").isEqualTo(live.uri());
        assertThat(api.webSocketUri()).isEqualTo(URI.create("ws" + live.uri().toString().substring(4) + "/ws"));
        assertThat(api.me().username()).isEqualTo("ada");
        assertThat(live.requests).hasSize(2);
    }

    @Test
    void aGetIsTriedOnTheNextServerWhenTheConnectionBreaksBeforeTheAnswer() throws IOException {
        StubServer live = stub();
        live.on("GET", "/api/me", 200, "{\"id\":\"u1\",\"username\":\"ada\",\"display_name\":\"Ada\"}");

        assertThat(api(resetting(), live.uri()).me().username()).isEqualTo("ada");
    }

    @Test
    void aPostWhoseConnectionWasMadeIsNeverSentTwice() throws IOException {
        StubServer live = stub();
        live.on("POST", "/api/threads/t1/messages", 201, "{\"id\":\"m1\",\"thread_id\":\"t1\",\"text\":\"hi\"}");
        URI resetting = resetting();

        PresenceTransportException e = catchThrowableOfType(PresenceTransportException.class,
                () -> api(resetting, live.uri()).send("t1", "hi"));

        assertThat(e).hasMessageContaining(resetting.toString()).hasMessageContaining("POST /api/threads/t1/messages");
        assertThat(live.requests).as("the message may have been stored: not sent again elsewhere").isEmpty();
    }

    @Test
    void anHttpErrorIsAnAnswerAndIsNotTriedElsewhere() throws IOException {
        StubServer draining = stub();
        draining.on("GET", "/api/threads", 503, "{\"error\":{\"code\":\"unavailable\",\"message\":\"draining\"}}");
        StubServer live = stub();

        PresenceApiException e = catchThrowableOfType(PresenceApiException.class,
                () -> api(draining.uri(), live.uri()).threads());

        assertThat(e.status()).isEqualTo(503);
        assertThat(live.requests).isEmpty();
    }

    @Test
    void whenNoServerCanBeReachedTheErrorNamesEachOne() throws IOException {
        URI first = down();
        URI second = down();

        PresenceTransportException e = catchThrowableOfType(PresenceTransportException.class,
                () -> api(first, second).me());

        assertThat(e).hasMessageContaining(first.toString()).hasMessageContaining(second.toString());
    }

    @Test
    void aFleetStartsOnDifferentServers() throws IOException {
        List<URI> bases = List.of(URI.create("http://a:1"), URI.create("http://b:1"), URI.create("http://c:1"));
        java.util.Set<URI> firsts = new java.util.HashSet<>();
        for (int i = 0; i < 50; i++) {
            firsts.add(PresenceApi.create(bases, http).baseUri());
        }
        assertThat(firsts).containsExactlyInAnyOrderElementsOf(bases);
    }
}
