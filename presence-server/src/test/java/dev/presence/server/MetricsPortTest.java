package dev.presence.server;

import dev.presence.server.support.RawClient;
import dev.presence.server.support.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code --metrics-port}: {@code /metrics} moves off the public port, to loopback only. */
class MetricsPortTest {

    @TempDir
    Path dataDir;

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }

    @Test
    void withAMetricsPortTheMainPortAnswers404AndTheMetricsPortOnLoopbackServesThem() throws Exception {
        int metricsPort = freePort();
        // the main port on every interface, to show the metrics port is not
        try (TestServer server = TestServer.create().shortHeartbeat().dataDir(dataDir).with(b -> b.host("0.0.0.0")
                .metricsPort(metricsPort)).start()) {
            String onMain = RawClient.request("127.0.0.2", server.port(), "GET", "/metrics", "", null);
            assertThat(onMain).startsWith("HTTP/1.1 404").doesNotContain("presence_");
            assertThat(RawClient.request("127.0.0.2", server.port(), "GET", "/health", "", null))
                    .startsWith("HTTP/1.1 200");

            String metrics = RawClient.request("127.0.0.1", metricsPort, "GET", "/metrics", "", null);
            assertThat(metrics).startsWith("HTTP/1.1 200").contains("text/plain; version=0.0.4")
                    .contains("presence_");
            assertThat(RawClient.request("127.0.0.1", metricsPort, "GET", "/health", "", null))
                    .startsWith("HTTP/1.1 404");
            assertThat(RawClient.request("127.0.0.1", metricsPort, "GET", "/api/me", "", null))
                    .startsWith("HTTP/1.1 404");
            // bound to 127.0.0.1 itself, not to every address
            assertThatThrownBy(() -> connectTo("127.0.0.2", metricsPort)).isInstanceOf(ConnectException.class);
        }
    }

    @Test
    void withoutOneTheMainPortServesThem() throws Exception {
        try (TestServer server = TestServer.create().shortHeartbeat().dataDir(dataDir).start()) {
            assertThat(RawClient.request("127.0.0.1", server.port(), "GET", "/metrics", "", null))
                    .startsWith("HTTP/1.1 200").contains("presence_");
        }
    }

    private static void connectTo(String host, int port) throws IOException {
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.connect(new java.net.InetSocketAddress(host, port), 2_000);
        }
    }
}
