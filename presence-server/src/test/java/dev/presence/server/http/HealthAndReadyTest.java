package dev.presence.server.http;

import dev.presence.server.metrics.ServerMetrics;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a load balancer reads: {@code /health} while the process serves, {@code /ready} while it takes
 * connections; and what the page learns of the other nodes.
 */
class HealthAndReadyTest {

    private final AtomicReference<String> notReady = new AtomicReference<>();
    private final NodeState clusterNode = new NodeState() {
        @Override
        public Optional<String> nodeId() {
            return Optional.of("node-a");
        }

        @Override
        public Optional<String> notReadyBecause() {
            return Optional.ofNullable(notReady.get());
        }
    };

    private FullHttpResponse get(NodeState node, String path) {
        return get(node, path, List.of());
    }

    private FullHttpResponse get(NodeState node, String path, List<String> pageServers) {
        EmbeddedChannel channel = new EmbeddedChannel(new HttpHandler(null, (ctx, request, httpOnly) -> { },
                new ServerMetrics(), null, true, node, pageServers));
        DefaultFullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path);
        request.headers().set("Host", "localhost");
        channel.writeInbound(request);
        FullHttpResponse response = channel.readOutbound();
        channel.finishAndReleaseAll();
        return response;
    }

    private static String body(FullHttpResponse response) {
        try {
            return response.content().toString(StandardCharsets.UTF_8);
        } finally {
            response.release();
        }
    }

    @Test
    void aClusterNodeNamesItselfAndIsReadyUntilItIsNot() {
        FullHttpResponse health = get(clusterNode, "/health");
        assertThat(health.status().code()).isEqualTo(200);
        assertThat(body(health)).isEqualTo("{\"status\":\"ok\",\"node_id\":\"node-a\"}");
        FullHttpResponse ready = get(clusterNode, "/ready");
        assertThat(ready.status().code()).isEqualTo(200);
        assertThat(body(ready)).isEqualTo("{\"status\":\"ready\",\"node_id\":\"node-a\"}");

        notReady.set("draining: the node is shutting down");
        FullHttpResponse draining = get(clusterNode, "/ready");
        assertThat(draining.status().code()).isEqualTo(503);
        assertThat(body(draining)).isEqualTo("{\"status\":\"not_ready\",\"reason\":\"draining: the node is shutting"
                + " down\",\"node_id\":\"node-a\"}");
        assertThat(get(clusterNode, "/health").status().code()).as("still alive while it drains").isEqualTo(200);
    }

    @Test
    void aSingleNodeSaysNoNodeId() {
        assertThat(body(get(NodeState.SINGLE, "/health"))).isEqualTo("{\"status\":\"ok\"}");
        assertThat(body(get(NodeState.SINGLE, "/ready"))).isEqualTo("{\"status\":\"ready\"}");
    }

    @Test
    void thePageMayConnectToTheNodesItIsGivenAndNowhereElse() {
        FullHttpResponse page = get(NodeState.SINGLE, "/", List.of("ws://127.0.0.1:8082/ws", "wss://n3.example/ws"));
        assertThat(page.headers().get("Content-Security-Policy"))
                .contains("connect-src 'self' ws://127.0.0.1:8082/ws wss://n3.example/ws;");
        assertThat(body(page)).contains("<meta name=\"presence-servers\" content=\"ws://127.0.0.1:8082/ws,"
                + "wss://n3.example/ws\">");

        FullHttpResponse alone = get(NodeState.SINGLE, "/", List.of());
        assertThat(alone.headers().get("Content-Security-Policy")).contains("connect-src 'self';");
        assertThat(body(alone)).doesNotContain("presence-servers\" content");
    }
}
