package dev.presence.client.transport;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/** {@link Transport} on the JDK's {@code java.net.http} WebSocket client. */
public final class JdkTransport implements Transport {

    private final HttpClient http;

    public JdkTransport(HttpClient http) {
        this.http = http;
    }

    /** A transport on a new HTTP client of its own. */
    public static JdkTransport create() {
        return new JdkTransport(HttpClient.newHttpClient());
    }

    @Override
    public CompletableFuture<Link> open(URI uri, Map<String, String> headers, Duration timeout,
                                        LinkListener listener) {
        WebSocket.Builder builder = http.newWebSocketBuilder().connectTimeout(timeout);
        headers.forEach(builder::header);
        Adapter adapter = new Adapter(listener);
        return builder.buildAsync(uri, adapter).handle((ws, error) -> {
            if (error != null) {
                Throwable cause = error instanceof CompletionException && error.getCause() != null
                        ? error.getCause() : error;
                if (cause instanceof WebSocketHandshakeException rejected) {
                    throw new HandshakeRejectedException(rejected.getResponse().statusCode(), rejected);
                }
                throw cause instanceof RuntimeException runtime ? runtime : new CompletionException(cause);
            }
            return adapter.link;
        });
    }

    /** Turns the JDK's listener calls into {@link LinkListener} calls, joining fragmented text. */
    private static final class Adapter implements WebSocket.Listener {
        private final LinkListener listener;
        private final StringBuilder partial = new StringBuilder();
        private volatile JdkLink link;

        Adapter(LinkListener listener) {
            this.listener = listener;
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            link = new JdkLink(webSocket);
            listener.onOpen(link);
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                listener.onText(text);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            listener.onActivity();
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
            listener.onActivity(); // the JDK answers the ping itself
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
            listener.onActivity();
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            listener.onClosed(statusCode, reason);
            return null; // the JDK answers with a close frame
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            listener.onFailure(error);
        }
    }

    private static final class JdkLink implements Link {
        private final WebSocket ws;
        private CompletableFuture<?> sending = CompletableFuture.completedFuture(null);

        JdkLink(WebSocket ws) {
            this.ws = ws;
        }

        @Override
        public synchronized void sendText(String text) {
            // the JDK allows one outstanding send at a time: chain them
            sending = sending.handle((ok, error) -> null)
                    .thenCompose(ignored -> ws.isOutputClosed() ? CompletableFuture.completedFuture(null)
                            : ws.sendText(text, true));
        }

        @Override
        public synchronized void close(int code, String reason) {
            sending = sending.handle((ok, error) -> null).thenCompose(ignored -> ws.isOutputClosed()
                    ? CompletableFuture.completedFuture(null) : ws.sendClose(code, reason));
            // a server that never answers the close must not keep the connection open
            CompletableFuture.delayedExecutor(2, TimeUnit.SECONDS).execute(ws::abort);
        }

        @Override
        public void abort() {
            ws.abort();
        }
    }
}
