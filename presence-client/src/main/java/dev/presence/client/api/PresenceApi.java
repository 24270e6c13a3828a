package dev.presence.client.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;

/**
 * The server's HTTP API (PROTOCOL.md), blocking calls on the JDK's {@link HttpClient}. Immutable and
 * thread-safe; {@link #withToken(String)} gives an authenticated copy sharing the same HTTP client.
 *
 * <p>Errors: a 4xx/5xx answer throws a {@link PresenceApiException} (or a subclass by status) carrying the
 * server's error code; no answer at all throws a {@link PresenceTransportException}.
 *
 * <p>Several servers (the nodes of a cluster, serving the same API): {@link #create(List)}. Calls go to one of
 * them (at first a random one, so a fleet of clients spreads) and stay there while it answers. A request that
 * cannot connect there (refused, connect timeout) is tried on the next one, whatever its method; a GET is also
 * tried on the next one when the connection broke before the answer (reset, closed): it is idempotent. A POST,
 * PATCH or DELETE whose connection was made is never sent twice. An HTTP error answer is an answer: never retried.
 */
public final class PresenceApi {

    /** The mapper used for every body; lenient about fields added by newer servers. */
    public static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);

    private final HttpClient http;
    private final List<URI> bases;
    /** Index of the server in use; shared with the copies made by {@link #withToken}. */
    private final AtomicInteger current;
    private final String token;

    private PresenceApi(HttpClient http, List<URI> bases, AtomicInteger current, String token) {
        this.http = Objects.requireNonNull(http, "http");
        this.bases = bases;
        this.current = current;
        this.token = token;
    }

    /** An unauthenticated API for the server at {@code base} (for example {@code http://127.0.0.1:8080}). */
    public static PresenceApi create(URI base) {
        return create(List.of(base));
    }

    /** As {@link #create(URI)}, on a given HTTP client. */
    public static PresenceApi create(URI base, HttpClient http) {
        return create(List.of(base), http);
    }

    /** An unauthenticated API for several servers serving the same API (see the class comment). */
    public static PresenceApi create(List<URI> bases) {
        return create(bases, HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build());
    }

    /** As {@link #create(List)}, on a given HTTP client. */
    public static PresenceApi create(List<URI> bases, HttpClient http) {
        return create(bases, http, RandomGenerator.getDefault());
    }

    /** As {@link #create(List, HttpClient)}, drawing the first server from {@code random} (for tests). */
    static PresenceApi create(List<URI> bases, HttpClient http, RandomGenerator random) {
        List<URI> trimmed = bases.stream().map(PresenceApi::withoutTrailingSlash).toList();
        if (trimmed.isEmpty()) {
            throw new IllegalArgumentException("need at least one server address");
        }
        int first = trimmed.size() == 1 ? 0 : random.nextInt(trimmed.size());
        return new PresenceApi(http, trimmed, new AtomicInteger(first), null);
    }

    private static URI withoutTrailingSlash(URI base) {
        String text = base.toString();
        return URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
    }

    /** This API authenticated with {@code bearerToken}. */
    public PresenceApi withToken(String bearerToken) {
        return new PresenceApi(http, bases, current, Objects.requireNonNull(bearerToken, "bearerToken"));
    }

    /** The base URI of the server in use (the one that answered last). */
    public URI baseUri() {
        return bases.get(current.get());
    }

    /** Every server's base URI, in the order they are tried. */
    public List<URI> baseUris() {
        return bases;
    }

    /** The WebSocket URI of the server in use ({@code ws://host:port/ws}). */
    public URI webSocketUri() {
        return webSocketUri(baseUri());
    }

    /** The WebSocket URI of every server, in the order of {@link #baseUris()}. */
    public List<URI> webSocketUris() {
        return bases.stream().map(PresenceApi::webSocketUri).toList();
    }

    private static URI webSocketUri(URI base) {
        String scheme = "https".equalsIgnoreCase(base.getScheme()) ? "wss" : "ws";
        return URI.create(scheme + base.toString().substring(base.getScheme().length()) + "/ws");
    }

    /** The token, if authenticated. */
    public Optional<String> token() {
        return Optional.ofNullable(token);
    }

    /** The HTTP client underneath (to share it with a {@code PresenceClient}). */
    public HttpClient httpClient() {
        return http;
    }

    // ---- accounts and sessions

    /** {@code POST /api/users}: signs up. */
    public User signUp(String username, String password, String displayName) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("username", username);
        body.put("password", password);
        if (displayName != null) {
            body.put("display_name", displayName);
        }
        return call("POST", "/api/users", body, false, new TypeReference<>() { });
    }

    /** {@code POST /api/sessions}: logs in; use {@link #withToken} with the answer's token. */
    public Session logIn(String username, String password) {
        return call("POST", "/api/sessions", Map.of("username", username, "password", password), false,
                new TypeReference<>() { });
    }

    /** {@code DELETE /api/sessions/current}: the token stops working and its sockets are closed. */
    public void logOut() {
        call("DELETE", "/api/sessions/current", null, true, null);
    }

    /**
     * {@code DELETE /api/sessions} (contract v2): logs out everywhere. Every token of mine, this one included,
     * stops working, and all my sockets are closed with 4401.
     */
    public void logOutEverywhere() {
        call("DELETE", "/api/sessions", null, true, null);
    }

    /** {@code GET /api/me}. */
    public User me() {
        return call("GET", "/api/me", null, true, new TypeReference<>() { });
    }

    /** {@code PATCH /api/me}: changes the display name. */
    public User updateDisplayName(String displayName) {
        return call("PATCH", "/api/me", Map.of("display_name", displayName), true, new TypeReference<>() { });
    }

    // ---- threads

    /** {@code GET /api/threads}: my threads with their members and their status. */
    public List<ChatThread> threads() {
        return call("GET", "/api/threads", null, true, new TypeReference<>() { });
    }

    /** {@code GET /api/threads/{id}}. */
    public ChatThread thread(String threadId) {
        return call("GET", "/api/threads/" + encode(threadId), null, true, new TypeReference<>() { });
    }

    /** {@code POST /api/threads}: a new thread with me as its only member. */
    public ChatThread createThread(String title) {
        return call("POST", "/api/threads", Map.of("title", title), true, new TypeReference<>() { });
    }

    /** {@code POST /api/threads/{id}/invitations}: invites {@code username} into a thread. */
    public Invitation invite(String threadId, String username) {
        return call("POST", "/api/threads/" + encode(threadId) + "/invitations", Map.of("username", username),
                true, new TypeReference<>() { });
    }

    /** {@code GET /api/invitations}: invitations addressed to me. */
    public List<Invitation> invitations() {
        return call("GET", "/api/invitations", null, true, new TypeReference<>() { });
    }

    /** {@code POST /api/invitations/{id}/accept}: joins the thread; returns it. */
    public ChatThread accept(String invitationId) {
        return call("POST", "/api/invitations/" + encode(invitationId) + "/accept", null, true,
                new TypeReference<>() { });
    }

    /**
     * {@code POST /api/invitations/{id}/decline} (contract v2): the invitation is no longer pending; the inviter
     * gets {@code invitation_declined}.
     */
    public void decline(String invitationId) {
        call("POST", "/api/invitations/" + encode(invitationId) + "/decline", null, true, null);
    }

    /** {@code DELETE /api/threads/{id}/members/me}: leaves a thread. */
    public void leave(String threadId) {
        call("DELETE", "/api/threads/" + encode(threadId) + "/members/me", null, true, null);
    }

    // ---- messages and presence

    /** {@code GET /api/threads/{id}/messages}: newest first; {@code before} (a message id) may be null. */
    public List<Message> messages(String threadId, int limit, String before) {
        StringBuilder path = new StringBuilder("/api/threads/").append(encode(threadId))
                .append("/messages?limit=").append(limit);
        if (before != null) {
            path.append("&before=").append(encode(before));
        }
        return call("GET", path.toString(), null, true, new TypeReference<>() { });
    }

    /** {@code POST /api/threads/{id}/messages}: sends a message. */
    public Message send(String threadId, String text) {
        return call("POST", "/api/threads/" + encode(threadId) + "/messages", Map.of("text", text), true,
                new TypeReference<>() { });
    }

    /** {@code GET /api/presence}: the status of those users who share a thread with me (others are left out). */
    public List<UserStatus> presence(List<String> userIds) {
        if (userIds.isEmpty()) {
            return List.of();
        }
        List<String> params = new ArrayList<>();
        for (String id : userIds) {
            params.add("user_id=" + encode(id));
        }
        return call("GET", "/api/presence?" + String.join("&", params), null, true, new TypeReference<>() { });
    }

    /** {@code GET /health}: true if the server answers 200. */
    public boolean healthy() {
        try {
            call("GET", "/health", null, false, null);
            return true;
        } catch (PresenceApiException | PresenceTransportException e) {
            return false;
        }
    }

    // ---- plumbing

    private <T> T call(String method, String path, Object body, boolean authenticated, TypeReference<T> answer) {
        HttpResponse<byte[]> response = send(method, path, body, authenticated);
        int status = response.statusCode();
        if (status >= 400) {
            throw error(status, response.body(), retryAfter(response));
        }
        if (answer == null || response.body().length == 0) {
            return null;
        }
        try {
            return JSON.readValue(response.body(), answer);
        } catch (IOException e) {
            throw new PresenceTransportException(method + " " + path + ": unexpected answer: "
                    + new String(response.body(), StandardCharsets.UTF_8), e);
        }
    }

    /** Sends to the server in use, then to the next ones while the request may be tried elsewhere. */
    private HttpResponse<byte[]> send(String method, String path, Object body, boolean authenticated) {
        int first = current.get();
        List<String> failures = new ArrayList<>();
        IOException last = null;
        for (int i = 0; i < bases.size(); i++) {
            int index = (first + i) % bases.size();
            URI base = bases.get(index);
            try {
                HttpResponse<byte[]> response = http.send(request(base, method, path, body, authenticated),
                        HttpResponse.BodyHandlers.ofByteArray());
                current.set(index);
                return response;
            } catch (IOException e) {
                last = e;
                failures.add(base + " (" + e.getClass().getSimpleName()
                        + (e.getMessage() == null ? "" : " " + e.getMessage()) + ")");
                if (!mayTryElsewhere(method, e)) {
                    break;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PresenceTransportException(method + " " + path + " interrupted", e);
            }
        }
        throw new PresenceTransportException("cannot reach " + String.join(", ", failures) + " for " + method + " "
                + path, last);
    }

    /**
     * Whether a request that failed with {@code e} may be sent to another server: always when no connection was
     * made (so the server cannot have acted on it); for a GET also when the connection broke, since reading twice
     * changes nothing. Not after a request timeout: the server may be slow rather than gone, and trying each
     * server in turn would multiply the wait.
     */
    static boolean mayTryElsewhere(String method, IOException e) {
        if (couldNotConnect(e)) {
            return true;
        }
        return "GET".equals(method) && !(e instanceof HttpTimeoutException);
    }

    private static boolean couldNotConnect(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof HttpConnectTimeoutException) {
                return true;
            }
        }
        return false;
    }

    private HttpRequest request(URI base, String method, String path, Object body, boolean authenticated) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(REQUEST_TIMEOUT)
                .header("Accept", "application/json");
        if (authenticated) {
            if (token == null) {
                throw new IllegalStateException("not logged in: use withToken(token) first");
            }
            request.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            request.header("Content-Type", "application/json");
            request.method(method, HttpRequest.BodyPublishers.ofByteArray(toJson(body)));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return request.build();
    }

    /** {@code Retry-After}: delay-seconds or an HTTP-date (RFC 9110 §10.2.3); null if absent or unreadable. */
    static Duration retryAfter(HttpResponse<?> response) {
        Optional<String> header = response.headers().firstValue("Retry-After").map(String::trim);
        if (header.isEmpty() || header.get().isEmpty()) {
            return null;
        }
        String value = header.get();
        try {
            if (value.chars().allMatch(Character::isDigit)) {
                return Duration.ofSeconds(Long.parseLong(value));
            }
            Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            Duration wait = Duration.between(Instant.now(), at);
            return wait.isNegative() ? Duration.ZERO : wait;
        } catch (NumberFormatException | DateTimeParseException e) {
            return null;
        }
    }

    private static PresenceApiException error(int status, byte[] body, Duration retryAfter) {
        String code = "http_" + status;
        String message = "";
        try {
            JsonNode error = JSON.readTree(body).path("error");
            code = error.path("code").asText(code);
            message = error.path("message").asText("");
        } catch (IOException | RuntimeException e) {
            message = new String(body, StandardCharsets.UTF_8);
        }
        return PresenceApiException.of(status, code, message, retryAfter);
    }

    private static byte[] toJson(Object body) {
        try {
            return JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
