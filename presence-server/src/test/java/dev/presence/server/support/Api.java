package dev.presence.server.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A small HTTP client of the API for tests. */
public final class Api {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI base;

    public Api(URI base) {
        this.base = base;
    }

    /** A response: status and parsed body (null if empty). */
    public record Reply(int status, JsonNode body, String raw) {
        public String text(String field) {
            return body.path(field).asText();
        }
    }

    /** A signed-up, logged-in user. */
    public record Account(String id, String username, String token) {
    }

    public Reply call(String method, String path, String token, String body) {
        return withAuthorization(method, path, token == null ? null : "Bearer " + token, body);
    }

    /** A call of the server API, with {@code Authorization: ApiKey <key>} (none if {@code key} is null). */
    public Reply server(String method, String path, String key, String body) {
        return withAuthorization(method, path, key == null ? null : "ApiKey " + key, body);
    }

    /** A call with this {@code Authorization} header as it is (none if null). */
    public Reply withAuthorization(String method, String path, String authorization, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            String raw = response.body();
            JsonNode parsed = null;
            if (raw != null && !raw.isEmpty() && response.headers().firstValue("content-type").orElse("")
                    .startsWith("application/json")) {
                parsed = JSON.readTree(raw);
            }
            return new Reply(response.statusCode(), parsed, raw);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public Reply get(String path, String token) {
        return call("GET", path, token, null);
    }

    public Reply post(String path, String token, String body) {
        return call("POST", path, token, body);
    }

    private Reply expect(Reply reply, int status) {
        if (reply.status() != status) {
            throw new AssertionError("expected " + status + " but got " + reply.status() + ": " + reply.raw());
        }
        return reply;
    }

    public Account signUp(String username) {
        String body = "{\"username\":\"" + username + "\",\"password\":\"secret-pass\"}";
        expect(post("/api/users", null, body), 201);
        Reply login = expect(post("/api/sessions", null, body), 201);
        return new Account(login.body().path("user").path("id").asText(), username, login.text("token"));
    }

    public String createThread(Account owner, String title) {
        return expect(post("/api/threads", owner.token(), "{\"title\":\"" + title + "\"}"), 201).text("id");
    }

    /** Invites and accepts: {@code who} becomes a member of the thread. */
    public void addMember(String threadId, Account inviter, Account who) {
        Reply invitation = expect(post("/api/threads/" + threadId + "/invitations", inviter.token(),
                "{\"username\":\"" + who.username() + "\"}"), 201);
        expect(post("/api/invitations/" + invitation.text("id") + "/accept", who.token(), null), 200);
    }

    /** A thread whose members are all of these accounts (the first creates it). */
    public String threadOf(String title, Account... members) {
        String id = createThread(members[0], title);
        for (int i = 1; i < members.length; i++) {
            addMember(id, members[0], members[i]);
        }
        return id;
    }
}
