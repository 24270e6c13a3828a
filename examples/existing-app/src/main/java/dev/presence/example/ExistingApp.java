package dev.presence.example;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * "Acme chat": a small existing chat backend with its own users and rooms, which uses presence for its green dots
 * without moving anything into it. It
 * <ul>
 *   <li>logs its users in and gives them a JWT for presence (signed with the secret presence was given),</li>
 *   <li>tells presence its users and who shares a room, through the server API (an API key),</li>
 *   <li>hears every status change back as a signed webhook, and keeps its own view of who is online,</li>
 *   <li>serves a page whose script talks to presence directly with that JWT.</li>
 * </ul>
 * Plain JDK HTTP: {@code java -jar existing-app.jar} with the environment of {@link AppSettings}.
 */
public final class ExistingApp implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern USERNAME = Pattern.compile("[a-z0-9_-]{2,32}");
    private static final Duration TOKEN_LIFETIME = Duration.ofMinutes(10);

    private final AppSettings settings;
    private final Directory directory = new Directory();
    private final PresenceServerApi presence;
    private final UserTokens tokens;
    private final WebhookInbox webhooks;
    private final ExecutorService pool = Executors.newFixedThreadPool(8);
    private final HttpServer http;

    private ExistingApp(AppSettings settings, Duration tokenLifetime, Consumer<WebhookInbox.Status> onStatus)
            throws IOException {
        this.settings = settings;
        this.presence = new PresenceServerApi(settings.presence(), settings.apiKey());
        this.tokens = new UserTokens(settings.jwtSecret(), tokenLifetime, Clock.systemUTC());
        this.webhooks = new WebhookInbox(settings.webhookSecret(), onStatus);
        this.http = HttpServer.create(new InetSocketAddress("127.0.0.1", settings.port()), 0);
        http.setExecutor(pool);
        http.createContext("/", this::page);
        http.createContext("/api/login", exchange -> answer(exchange, "POST", this::logIn));
        http.createContext("/api/rooms", exchange -> answer(exchange, "POST",
                body -> rooms(body.path("user_id").asText(""))));
        http.createContext("/api/wave", exchange -> answer(exchange, "POST", this::wave));
        http.createContext("/api/online", exchange -> answer(exchange, "GET", body -> online()));
        http.createContext("/webhooks/presence", this::webhook);
        http.start();
    }

    /** Starts the app; {@code onStatus} hears each status change the webhooks bring. */
    public static ExistingApp start(AppSettings settings, Duration tokenLifetime,
                                    Consumer<WebhookInbox.Status> onStatus) throws IOException {
        return new ExistingApp(settings, tokenLifetime, onStatus);
    }

    public static void main(String[] args) throws IOException {
        AppSettings settings;
        try {
            settings = AppSettings.fromEnvironment(System.getenv());
        } catch (RuntimeException e) {
            System.err.println("existing-app: " + e.getMessage());
            System.exit(2);
            return;
        }
        ExistingApp app = start(settings, TOKEN_LIFETIME, ExistingApp::printStatus);
        Runtime.getRuntime().addShutdownHook(new Thread(app::close));
        System.out.println("Acme chat on http://127.0.0.1:" + app.port() + " (presence at " + settings.presence()
                + "); webhooks expected at http://127.0.0.1:" + app.port() + "/webhooks/presence");
    }

    private static void printStatus(WebhookInbox.Status status) {
        System.out.println("[webhook] " + status.userId() + " is " + (status.online() ? "online" : "offline")
                + " (version " + status.version() + ")");
    }

    public int port() {
        return http.getAddress().getPort();
    }

    /** The app's view of who is online, from the webhooks. */
    public Map<String, WebhookInbox.Status> statuses() {
        return webhooks.statuses();
    }

    // --- the app's own API -------------------------------------------------------------------------------

    /**
     * Logs a user in (a demo: any name, no password) and gets them ready for presence: the user and the team room
     * are put to presence's server API (idempotent, so doing it at every login is fine), and the answer carries the
     * presence JWT and where presence listens.
     */
    private Object logIn(JsonNode body) throws Exception {
        String username = body.path("username").asText("");
        if (!USERNAME.matcher(username).matches()) {
            throw new BadRequest("username: 2 to 32 of a-z, 0-9, '_' and '-'");
        }
        Directory.AppUser user = directory.userNamed(username);
        presence.putUser(user);
        Directory.Room team = directory.join(Directory.TEAM_ROOM, user.id());
        presence.putThread(team);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("user_id", user.id());
        answer.put("username", user.username());
        answer.put("display_name", user.displayName());
        answer.put("token", tokens.tokenFor(user));
        answer.put("presence_ws", settings.presenceWebSocket().toString());
        answer.put("rooms", rooms(user.id()));
        return answer;
    }

    private List<Map<String, Object>> rooms(String userId) {
        List<Map<String, Object>> rooms = new ArrayList<>();
        for (Directory.Room room : directory.roomsOf(userId)) {
            List<Map<String, String>> members = new ArrayList<>();
            for (String id : room.memberIds()) {
                directory.user(id).ifPresent(u -> members.add(Map.of("id", u.id(), "name", u.displayName())));
            }
            rooms.add(Map.of("id", room.id(), "title", room.title(), "members", members));
        }
        return rooms;
    }

    /** The app's own event, through presence to the team room's members online now. */
    private Object wave(JsonNode body) throws Exception {
        Directory.AppUser from = directory.user(body.path("user_id").asText(""))
                .orElseThrow(() -> new BadRequest("unknown user_id"));
        presence.publish(Directory.TEAM_ROOM, Map.of("type", "acme.wave", "from", from.displayName()));
        return Map.of("waved", true);
    }

    private Object online() {
        List<Map<String, Object>> list = new ArrayList<>();
        for (WebhookInbox.Status s : webhooks.statuses().values()) {
            list.add(Map.of("user_id", s.userId(), "is_online", s.online(), "last_seen", s.lastSeen()));
        }
        return list;
    }

    // --- webhooks from presence ----------------------------------------------------------------------------

    private void webhook(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!"POST".equals(exchange.getRequestMethod())) {
                reply(exchange, 405, Map.of("error", "POST only"));
                return;
            }
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readNBytes(64 * 1024);
            }
            try {
                webhooks.accept(body, exchange.getRequestHeaders().getFirst("X-Presence-Signature"));
                exchange.sendResponseHeaders(204, -1);
            } catch (WebhookInbox.Refused e) {
                reply(exchange, e.status, Map.of("error", e.getMessage()));
            }
        }
    }

    // --- plumbing ----------------------------------------------------------------------------------------

    private interface Handler {
        Object handle(JsonNode body) throws Exception;
    }

    private static final class BadRequest extends Exception {
        BadRequest(String message) {
            super(message);
        }
    }

    private static void answer(HttpExchange exchange, String method, Handler handler) throws IOException {
        try (exchange) {
            if (!method.equals(exchange.getRequestMethod())) {
                reply(exchange, 405, Map.of("error", method + " only"));
                return;
            }
            try {
                JsonNode body;
                try (InputStream in = exchange.getRequestBody()) {
                    byte[] bytes = in.readNBytes(16 * 1024);
                    body = bytes.length == 0 ? JSON.createObjectNode() : JSON.readTree(bytes);
                } catch (IOException e) {
                    throw new BadRequest("the body is not JSON");
                }
                reply(exchange, 200, handler.handle(body));
            } catch (BadRequest e) {
                reply(exchange, 400, Map.of("error", e.getMessage()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                reply(exchange, 503, Map.of("error", "shutting down"));
            } catch (Exception e) {
                // presence answered with an error or could not be reached: say so, without a stack trace
                reply(exchange, 502, Map.of("error", "presence: " + e.getMessage()));
            }
        }
    }

    private void page(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (!path.equals("/") && !path.equals("/index.html")) {
                reply(exchange, 404, Map.of("error", "not found"));
                return;
            }
            byte[] html;
            try (InputStream in = ExistingApp.class.getResourceAsStream("/static/index.html")) {
                html = in.readAllBytes();
            }
            exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, html.length);
            exchange.getResponseBody().write(html);
        }
    }

    private static void reply(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        http.stop(0);
        pool.shutdownNow();
    }
}
