package dev.presence.example;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.presence.client.PresenceClient;
import dev.presence.client.ThreadsState;
import dev.presence.client.api.ChatThread;
import dev.presence.client.api.PresenceApi;
import dev.presence.server.support.TestServer;
import dev.presence.server.webhook.WebhookSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The example as a newcomer runs it, end to end and all real: a presence server in integration mode (API key, JWT
 * secret, webhooks to the app), the app on its own port, and the app's users connecting to presence with the Java
 * SDK and the JWTs the app gave them. Their status reaches each other through presence, and the app through its
 * webhooks; the app's own event reaches them through the server API.
 */
class ExistingAppEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path secrets;

    private TestServer presence;
    private ExistingApp app;
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<PresenceClient> clients = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startPresenceAndTheApp() throws Exception {
        Path apiKey = write("api-key", "an-api-key-of-the-example-app-0123456789\n");
        Path jwtSecret = write("jwt-secret", "a-jwt-secret-that-is-at-least-32-bytes-long\n");
        Path webhookSecret = write("webhook-secret", "a-webhook-secret-of-the-example\n");
        int appPort = freePort();
        presence = TestServer.create().shortHeartbeat().with(b -> b.apiKeyFile(apiKey).jwtSecretFile(jwtSecret)
                .webhooks(WebhookSettings.of(URI.create("http://127.0.0.1:" + appPort + "/webhooks/presence"),
                        Files.readString(webhookSecret).strip().getBytes(StandardCharsets.UTF_8)))).start();
        app = ExistingApp.start(AppSettings.fromEnvironment(Map.of(
                "ACME_PORT", String.valueOf(appPort),
                "PRESENCE_URL", presence.httpUri().toString(),
                "PRESENCE_API_KEY_FILE", apiKey.toString(),
                "PRESENCE_JWT_SECRET_FILE", jwtSecret.toString(),
                "PRESENCE_WEBHOOK_SECRET_FILE", webhookSecret.toString())), Duration.ofMinutes(10), status -> { });
    }

    @AfterEach
    void stop() throws Exception {
        clients.forEach(PresenceClient::close);
        if (app != null) {
            app.close();
        }
        if (presence != null) {
            presence.close();
        }
    }

    @Test
    void theAppsUsersSeeEachOtherAndTheAppHearsOfItByWebhook() throws Exception {
        JsonNode alice = logIn("alice");
        JsonNode bob = logIn("bob");
        String bobId = bob.path("user_id").asText();

        // alice's client: the SDK with the app's JWT; GET /api/threads shows the room the app provisioned
        PresenceApi aliceApi = PresenceApi.create(presence.httpUri()).withToken(alice.path("token").asText());
        ThreadsState aliceView = new ThreadsState();
        aliceView.load(aliceApi);
        assertThat(aliceView.snapshot().threads()).extracting(ChatThread::title).containsExactly("Acme team");
        List<String> waves = new CopyOnWriteArrayList<>();
        PresenceClient aliceClient = connect(aliceApi, aliceView);
        aliceClient.registerMessageHandler("acme.wave", m -> waves.add(m.path("from").asText()));

        PresenceClient bobClient = connect(PresenceApi.create(presence.httpUri())
                .withToken(bob.path("token").asText()), new ThreadsState());

        await().atMost(WAIT).until(() -> aliceView.snapshot().isOnline(bobId));
        await().atMost(WAIT).until(() -> online(alice.path("user_id").asText()) && online(bobId));

        post("/api/wave", Map.of("user_id", bobId));
        await().atMost(WAIT).until(() -> waves.contains("Bob"));

        bobClient.close();
        await().atMost(WAIT).until(() -> !aliceView.snapshot().isOnline(bobId));
        await().atMost(WAIT).until(() -> !online(bobId));
        assertThat(app.statuses().get(bobId).version())
                .isEqualTo(aliceView.snapshot().status(bobId).orElseThrow().version());
    }

    private boolean online(String userId) {
        WebhookInbox.Status status = app.statuses().get(userId);
        return status != null && status.online();
    }

    private PresenceClient connect(PresenceApi api, ThreadsState view) {
        PresenceClient client = PresenceClient.builder(api).build();
        clients.add(client);
        view.attach(client, api);
        client.connect();
        return client;
    }

    private JsonNode logIn(String username) throws IOException, InterruptedException {
        return post("/api/login", Map.of("username", username));
    }

    private JsonNode post(String path, Object body) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + app.port() + path))
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)))
                .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(secrets.resolve(name), text);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
