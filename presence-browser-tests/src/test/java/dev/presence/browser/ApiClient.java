package dev.presence.browser;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** The server's HTTP API (PROTOCOL.md), used by tests to set users and threads up quickly. */
final class ApiClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    private final URI base;

    ApiClient(URI base) {
        this.base = base;
    }

    /** A signed-up and logged-in user. */
    record User(String id, String username, String password, String token) {
    }

    User signUpAndLogIn(String username, String displayName) {
        String password = "pw-" + username + "-secret";
        call("POST", "/api/users", null, Map.of("username", username, "password", password, "display_name", displayName), 201);
        JsonNode session = call("POST", "/api/sessions", null, Map.of("username", username, "password", password), 201);
        return new User(session.path("user").path("id").asText(), username, password, session.path("token").asText());
    }

    String createThread(User owner, String title) {
        return call("POST", "/api/threads", owner.token(), Map.of("title", title), 201).path("id").asText();
    }

    String invite(User from, String threadId, User to) {
        return call("POST", "/api/threads/" + threadId + "/invitations", from.token(), Map.of("username", to.username()), 201)
                .path("id").asText();
    }

    void accept(User invitee, String invitationId) {
        call("POST", "/api/invitations/" + invitationId + "/accept", invitee.token(), null, 200);
    }

    /** A thread with both users in it. */
    String threadOf(User owner, User other, String title) {
        String threadId = createThread(owner, title);
        accept(other, invite(owner, threadId, other));
        return threadId;
    }

    JsonNode sendMessage(User from, String threadId, String text) {
        return call("POST", "/api/threads/" + threadId + "/messages", from.token(), Map.of("text", text), 201);
    }

    void logOut(String token) {
        call("DELETE", "/api/sessions/current", token, null, 204);
    }

    /** Leaves the thread (the remaining members get {@code thread_member_left}, contract v2). */
    void leave(User member, String threadId) {
        call("DELETE", "/api/threads/" + threadId + "/members/me", member.token(), null, 204);
    }

    /** The invitations addressed to that user. */
    JsonNode invitations(User invitee) {
        return call("GET", "/api/invitations", invitee.token(), null, 200);
    }

    /** The HTTP status of one login attempt (201, 401, or 429 once limited). */
    int loginStatus(String username, String password) {
        return send("POST", "/api/sessions", null, Map.of("username", username, "password", password)).statusCode();
    }

    private JsonNode call(String method, String path, String token, Object body, int expected) {
        HttpResponse<String> response = send(method, path, token, body);
        if (response.statusCode() != expected) {
            throw new AssertionError(method + " " + path + " answered " + response.statusCode() + " (expected "
                    + expected + "): " + response.body());
        }
        try {
            return response.body().isEmpty() ? JSON.nullNode() : JSON.readTree(response.body());
        } catch (IOException e) {
            throw new AssertionError(method + " " + path + " answered no JSON: " + response.body(), e);
        }
    }

    private HttpResponse<String> send(String method, String path, String token, Object body) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path))
                    .timeout(Duration.ofSeconds(10))
                    .header("Accept", "application/json");
            if (token != null) {
                request.header("Authorization", "Bearer " + token);
            }
            if (body != null) {
                request.header("Content-Type", "application/json")
                        .method(method, HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
            } else {
                request.method(method, HttpRequest.BodyPublishers.noBody());
            }
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new AssertionError(method + " " + path + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
