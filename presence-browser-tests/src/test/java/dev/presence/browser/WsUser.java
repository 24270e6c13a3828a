package dev.presence.browser;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * A user online without a browser: a plain WebSocket that says hello and answers every ping, so the page
 * under test sees that user online until {@link #close()} (a clean close: offline at once).
 */
final class WsUser implements AutoCloseable {

    private final WebSocket socket;
    private final CompletableFuture<Void> welcomed = new CompletableFuture<>();

    private WsUser(URI base, String token) throws Exception {
        URI ws = URI.create("ws://" + base.getHost() + ":" + base.getPort() + "/ws");
        socket = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
                .buildAsync(ws, new WebSocket.Listener() {
                    private final StringBuilder text = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        text.append(data);
                        if (last) {
                            String frame = text.toString();
                            text.setLength(0);
                            if (frame.contains("\"type\":\"welcome\"")) {
                                welcomed.complete(null);
                            } else if (frame.contains("\"type\":\"ping\"")) {
                                webSocket.sendText("{\"type\":\"pong\"}", true);
                            }
                        }
                        webSocket.request(1);
                        return null;
                    }
                }).get(10, TimeUnit.SECONDS);
        socket.sendText("{\"type\":\"hello\",\"token\":\"" + token + "\"}", true).get(5, TimeUnit.SECONDS);
        welcomed.get(10, TimeUnit.SECONDS);
    }

    /** Connects as that user and returns once the server has welcomed the session. */
    static WsUser online(URI base, ApiClient.User user) throws Exception {
        return new WsUser(base, user.token());
    }

    /** A clean close (close frame 1000): the user goes offline at once. */
    @Override
    public void close() {
        try {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
        } catch (Exception alreadyGone) {
            socket.abort();
        }
    }
}
