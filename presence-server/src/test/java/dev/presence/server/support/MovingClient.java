package dev.presence.server.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A light WebSocket client that behaves like the SDK in a cluster: whenever its connection ends (a 1012 from a
 * node that stops, an error, a refused connect) it connects again after a short jittered delay (20-200 ms), to
 * the next of its addresses. Records the status changes it receives, the close codes and the welcomes.
 */
public final class MovingClient implements WebSocket.Listener {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String name;
    private final String token;
    private final List<URI> addresses;
    private final HttpClient http;
    private final ScheduledExecutorService timer;
    private final List<JsonNode> statuses = new CopyOnWriteArrayList<>();
    private final List<Integer> closeCodes = new CopyOnWriteArrayList<>();
    private final AtomicInteger welcomes = new AtomicInteger();
    private final StringBuilder partial = new StringBuilder();
    private volatile int next;
    private volatile URI connectedTo;
    private volatile WebSocket socket;
    private volatile boolean stopped;

    /**
     * @param addresses where to connect, the first one first
     */
    public MovingClient(String name, String token, List<URI> addresses, HttpClient http,
                        ScheduledExecutorService timer) {
        this.name = name;
        this.token = token;
        this.addresses = List.copyOf(addresses);
        this.http = http;
        this.timer = timer;
    }

    public MovingClient start() {
        connect();
        return this;
    }

    private void connect() {
        if (stopped) {
            return;
        }
        URI target = addresses.get(next % addresses.size());
        next++;
        http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5)).header("Authorization", "Bearer " + token)
                .buildAsync(target, this).whenComplete((ws, error) -> {
                    if (error != null) {
                        again();
                    } else {
                        socket = ws;
                        connectedTo = target;
                    }
                });
    }

    private void again() {
        connectedTo = null;
        if (!stopped) {
            timer.schedule(this::connect, ThreadLocalRandom.current().nextInt(20, 200), TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            String text = partial.toString();
            partial.setLength(0);
            try {
                JsonNode frame = JSON.readTree(text);
                String type = frame.path("type").asText();
                if ("ping".equals(type)) {
                    webSocket.sendText("{\"type\":\"pong\"}", true);
                } else if ("welcome".equals(type)) {
                    welcomes.incrementAndGet();
                } else {
                    StatusFrames.add(frame, statuses);
                }
            } catch (Exception e) {
                throw new IllegalStateException(name + " received what is not JSON: " + text, e);
            }
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closeCodes.add(statusCode);
        again();
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closeCodes.add(-1);
        again();
    }

    /** Where it is connected now (null between connections). */
    public URI connectedTo() {
        return connectedTo;
    }

    /** Whether it is connected and has had its welcome since it last lost a connection. */
    public boolean isWelcomed() {
        return connectedTo != null && welcomes.get() > closeCodes.size();
    }

    /** Where it is connected and welcomed now; null between connections. */
    public URI welcomedAt() {
        URI at = connectedTo;
        return at != null && welcomes.get() > closeCodes.size() ? at : null;
    }

    public List<JsonNode> statuses() {
        return List.copyOf(statuses);
    }

    public List<Integer> closeCodes() {
        return List.copyOf(closeCodes);
    }

    /** Stops moving and drops the connection. */
    public void stop() {
        stopped = true;
        WebSocket ws = socket;
        if (ws != null) {
            ws.abort();
        }
    }

    @Override
    public String toString() {
        return name + (connectedTo == null ? " (between nodes)" : " on " + connectedTo);
    }
}
