package dev.presence.example;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The calls this app makes to presence's server API ({@code Authorization: ApiKey}): it tells presence who its users
 * are and who shares a conversation with whom. Called when those change, never per message or per connection.
 */
final class PresenceServerApi {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI base;
    private final String apiKey;

    PresenceServerApi(URI base, String apiKey) {
        this.base = base;
        this.apiKey = apiKey;
    }

    /** {@code PUT /api/server/users/{id}}: creates or renames the user. */
    void putUser(Directory.AppUser user) throws IOException, InterruptedException {
        send("PUT", "/api/server/users/" + user.id(),
                Map.of("username", user.username(), "display_name", user.displayName()));
    }

    /** {@code PUT /api/server/threads/{id}}: the room with exactly these members. */
    void putThread(Directory.Room room) throws IOException, InterruptedException {
        send("PUT", "/api/server/threads/" + room.id(), Map.of("title", room.title(), "members", room.memberIds()));
    }

    /** {@code POST /api/server/events}: the app's own event to the room's members online now. */
    void publish(String roomId, Map<String, Object> event) throws IOException, InterruptedException {
        send("POST", "/api/server/events", Map.of("thread_id", roomId, "event", event));
    }

    private void send(String method, String path, Object body) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(base.resolve(path))
                .timeout(Duration.ofSeconds(10))
                .header("Authorization", "ApiKey " + apiKey)
                .header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)))
                .build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IOException(method + " " + path + " answered " + response.statusCode() + ": " + response.body());
        }
    }

    static List<String> ids(List<Directory.AppUser> users) {
        return users.stream().map(Directory.AppUser::id).toList();
    }
}
