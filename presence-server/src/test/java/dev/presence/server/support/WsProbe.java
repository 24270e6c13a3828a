package dev.presence.server.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

import org.awaitility.Awaitility;

/** A raw WebSocket client for tests: records every frame, answers pings unless told not to. */
public final class WsProbe implements WebSocket.Listener, AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public final String name;
    private final List<JsonNode> frames = new CopyOnWriteArrayList<>();
    private final StringBuilder partial = new StringBuilder();
    private final AtomicReference<Integer> closeCode = new AtomicReference<>();
    private final AtomicReference<Throwable> error = new AtomicReference<>();
    private volatile boolean answerPings = true;
    private volatile WebSocket socket;

    private WsProbe(String name) {
        this.name = name;
    }

    /** Connects and authenticates with the Authorization header. */
    public static WsProbe connect(String name, URI ws, String token) {
        WsProbe probe = new WsProbe(name);
        WebSocket.Builder builder = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        probe.socket = join(builder.buildAsync(ws, probe));
        return probe;
    }

    /** Connects without a header; the test sends {@code hello} (or not). */
    public static WsProbe connectAnonymous(String name, URI ws) {
        return connect(name, ws, null);
    }

    /** Tries to connect; the future fails if the upgrade does. */
    public static CompletableFuture<WebSocket> tryConnect(URI ws, String token, String origin) {
        WsProbe probe = new WsProbe("try");
        WebSocket.Builder builder = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(2));
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        if (origin != null) {
            builder.header("Origin", origin);
        }
        return builder.buildAsync(ws, probe);
    }

    /** Connects, waits for the welcome, and returns the probe. */
    public static WsProbe online(String name, URI ws, String token) {
        WsProbe probe = connect(name, ws, token);
        probe.awaitType("welcome");
        return probe;
    }

    private static <T> T join(CompletableFuture<T> future) {
        try {
            return future.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("WebSocket connect failed", e);
        }
    }

    public void stopAnsweringPings() {
        answerPings = false;
    }

    public void send(String text) {
        socket.sendText(text, true).join();
    }

    public void sendJson(String type) {
        send("{\"type\":\"" + type + "\"}");
    }

    /** A clean close: close frame 1000. */
    public void closeCleanly() {
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();
    }

    /** Drops the TCP connection without a close frame. */
    public void abort() {
        socket.abort();
    }

    public List<JsonNode> frames() {
        return List.copyOf(frames);
    }

    /** Waits for the first frame that matches; fails after 10 s. */
    public JsonNode await(Predicate<JsonNode> match) {
        return await(match, Duration.ofSeconds(10));
    }

    public JsonNode await(Predicate<JsonNode> match, Duration atMost) {
        AtomicReference<JsonNode> found = new AtomicReference<>();
        Awaitility.await().alias(name + " receives a matching frame; got " + frames).atMost(atMost)
                .pollInterval(Duration.ofMillis(10)).until(() -> {
                    for (JsonNode frame : frames) {
                        if (match.test(frame)) {
                            found.set(frame);
                            return true;
                        }
                    }
                    return false;
                });
        return found.get();
    }

    public JsonNode awaitType(String type) {
        return await(f -> type.equals(f.path("type").asText()));
    }

    /**
     * Waits for a status of that user with that status, alone ({@code user_status_changed}) or in a
     * {@code status_batch}; returns the status itself.
     */
    public JsonNode awaitStatus(String userId, boolean online) {
        JsonNode frame = await(isStatus(userId, online));
        return StatusFrames.of(List.of(frame)).stream().filter(matches(userId, online)).findFirst().orElseThrow();
    }

    /** Waits for a status of that user, newer than that version, alone or batched; returns the status itself. */
    public JsonNode awaitStatus(String userId, boolean online, long newerThan) {
        return awaitStatus(userId, online, newerThan, Duration.ofSeconds(10));
    }

    public JsonNode awaitStatus(String userId, boolean online, long newerThan, Duration atMost) {
        Predicate<JsonNode> wanted = s -> matches(userId, online).test(s) && s.path("version").asLong() > newerThan;
        JsonNode frame = await(f -> StatusFrames.of(List.of(f)).stream().anyMatch(wanted), atMost);
        return StatusFrames.of(List.of(frame)).stream().filter(wanted).findFirst().orElseThrow();
    }

    /** A frame that holds that status, alone or in a batch. */
    public static Predicate<JsonNode> isStatus(String userId, boolean online) {
        return f -> StatusFrames.of(List.of(f)).stream().anyMatch(matches(userId, online));
    }

    private static Predicate<JsonNode> matches(String userId, boolean online) {
        return s -> userId.equals(s.path("user_id").asText()) && s.path("is_online").asBoolean() == online;
    }

    /** Every status received about that user, alone or in batches, in order. */
    public List<JsonNode> statusesOf(String userId) {
        return StatusFrames.about(userId, frames);
    }

    /** Waits until the server closes this WebSocket, and returns the close code. */
    public int awaitClose() {
        Awaitility.await().alias(name + " is closed").atMost(Duration.ofSeconds(10)).until(() -> closeCode.get() != null
                || error.get() != null);
        return closeCode.get() == null ? -1 : closeCode.get();
    }

    public boolean isClosed() {
        return closeCode.get() != null || error.get() != null;
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
                frames.add(frame);
                if (answerPings && "ping".equals(frame.path("type").asText())) {
                    webSocket.sendText("{\"type\":\"pong\"}", true);
                }
            } catch (Exception e) {
                error.set(e);
            }
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closeCode.set(statusCode);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable e) {
        error.set(e);
    }

    @Override
    public void close() {
        if (socket != null) {
            socket.abort();
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
