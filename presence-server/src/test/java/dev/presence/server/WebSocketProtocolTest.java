package dev.presence.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.presence.server.support.Api.Account;
import dev.presence.server.support.TestServer;
import dev.presence.server.support.WsProbe;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Authentication, bad frames, floods and origins on {@code /ws}: clear errors, never a crash. */
class WebSocketProtocolTest {

    @RegisterExtension
    final TestServer server = TestServer.create().shortHeartbeat();
    private Account ann;
    private Account bob;
    private final List<WsProbe> probes = new ArrayList<>();

    @BeforeEach
    void start() {
        ann = server.api().signUp("ann");
        bob = server.api().signUp("bob");
        server.api().threadOf("pair", ann, bob);
    }

    @AfterEach
    void stop() {
        probes.forEach(WsProbe::close);
    }

    private WsProbe keep(WsProbe probe) {
        probes.add(probe);
        return probe;
    }

    @Test
    void helloFrameAuthenticatesABrowserStyleClient() {
        WsProbe a = keep(WsProbe.connectAnonymous("ann", server.wsUri()));
        a.send("{\"type\":\"hello\",\"token\":\"" + ann.token() + "\",\"device\":\"firefox\"}");

        JsonNode welcome = a.awaitType("welcome");
        assertThat(welcome.path("user_id").asText()).isEqualTo(ann.id());
    }

    @Test
    void aForgedTokenIsClosedWith4401() {
        WsProbe header = keep(WsProbe.connect("forged", server.wsUri(), "forged-token"));
        assertThat(header.awaitClose()).isEqualTo(4401);

        WsProbe hello = keep(WsProbe.connectAnonymous("forged hello", server.wsUri()));
        hello.send("{\"type\":\"hello\",\"token\":\"not-a-token\"}");
        assertThat(hello.awaitClose()).isEqualTo(4401);
    }

    @Test
    void noHelloInTimeIsClosedWith4408() {
        WsProbe silent = keep(WsProbe.connectAnonymous("silent", server.wsUri()));
        assertThat(silent.awaitClose()).isEqualTo(4408);
    }

    @Test
    void malformedAndUnknownFramesGetAnErrorAndTheConnectionStays() {
        WsProbe a = keep(WsProbe.online("ann", server.wsUri(), ann.token()));

        a.send("{not json");
        a.await(f -> "error".equals(f.path("type").asText()) && "malformed_json".equals(f.path("code").asText()));
        a.send("{\"type\":\"dance\"}");
        a.await(f -> "error".equals(f.path("type").asText()) && "unknown_type".equals(f.path("code").asText()));
        a.send("[1,2,3]");
        a.await(f -> "error".equals(f.path("type").asText()) && "bad_frame".equals(f.path("code").asText()));
        a.send("{\"type\":\"hello\",\"token\":\"x\"}");
        a.await(f -> "error".equals(f.path("type").asText()) && "unexpected_hello".equals(f.path("code").asText()));

        // still open and still told of changes
        keep(WsProbe.online("bob", server.wsUri(), bob.token()));
        a.awaitStatus(bob.id(), true);
        assertThat(a.isClosed()).isFalse();
    }

    @Test
    void aFrameOver64KiBIsClosedWith1009() {
        WsProbe a = keep(WsProbe.online("ann", server.wsUri(), ann.token()));
        String big = "{\"type\":\"pong\",\"pad\":\"" + "x".repeat(70 * 1024) + "\"}";
        try {
            a.send(big);
        } catch (CompletionException ignored) {
            // the server may close before the whole frame is written
        }
        assertThat(a.awaitClose()).isEqualTo(1009);
    }

    @Test
    void aFloodIsClosedWith4429() {
        WsProbe a = keep(WsProbe.online("ann", server.wsUri(), ann.token()));
        try {
            for (int i = 0; i < 500 && !a.isClosed(); i++) {
                a.sendJson("pong");
            }
        } catch (CompletionException ignored) {
            // closed under our feet, as it should be
        }
        assertThat(a.awaitClose()).isEqualTo(4429);
    }

    @Test
    void logoutClosesTheTokensSocketsWith4401AndTheTokenStopsWorking() {
        WsProbe a = keep(WsProbe.online("ann", server.wsUri(), ann.token()));

        assertThat(server.api().call("DELETE", "/api/sessions/current", ann.token(), null).status()).isEqualTo(204);

        assertThat(a.awaitClose()).isEqualTo(4401);
        assertThat(server.api().get("/api/me", ann.token()).status()).isEqualTo(401);
    }

    @Test
    void aCrossOriginUpgradeIsRefusedAndTheSameOriginAccepted() throws Exception {
        var foreign = WsProbe.tryConnect(server.wsUri(), ann.token(), "http://evil.example");
        assertThatThrownBy(() -> foreign.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);

        var same = WsProbe.tryConnect(server.wsUri(), ann.token(), "http://127.0.0.1:" + server.port());
        same.get(5, TimeUnit.SECONDS).abort();
    }

    @Test
    void serverShutdownClosesWith1012() {
        WsProbe a = keep(WsProbe.online("ann", server.wsUri(), ann.token()));
        server.stop();
        assertThat(a.awaitClose()).isEqualTo(1012);
    }
}
