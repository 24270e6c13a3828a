package dev.presence.server;

import dev.presence.server.support.Api.Account;
import dev.presence.server.support.TestServer;
import dev.presence.server.support.WsProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.WebSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Past --max-connections new connections are refused at once, and admitted again when one closes. */
class ConnectionLimitTest {

    private static final int LIMIT = 6;

    @TempDir
    Path dataDir;

    @Test
    void connectionsOverTheLimitAreRefusedAtOnceAndAdmittedAgainLater() {
        try (TestServer server = TestServer.create().shortHeartbeat().dataDir(dataDir)
                .with(b -> b.maxConnections(LIMIT)).start()) {
            Account ann = server.api().signUp("ann"); // its HTTP connection counts too
            List<WebSocket> open = new ArrayList<>();
            boolean refused = false;
            for (int i = 0; i <= LIMIT && !refused; i++) {
                try {
                    open.add(WsProbe.tryConnect(server.wsUri(), ann.token(), null).get(5, TimeUnit.SECONDS));
                } catch (Exception e) {
                    refused = true;
                }
            }
            assertThat(refused).as("a connection over the limit is refused").isTrue();
            assertThat(open).hasSizeLessThan(LIMIT);

            open.remove(0).abort();
            await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
                open.add(WsProbe.tryConnect(server.wsUri(), ann.token(), null).get(5, TimeUnit.SECONDS));
                return true;
            });
            open.forEach(WebSocket::abort);
        }
    }

    @Test
    void withoutALimitTheOpenFileLimitDecides() {
        assertThat(new ConnectionLimit(0).max()).isPositive();
        assertThat(new ConnectionLimit(42).max()).isEqualTo(42);
    }
}
