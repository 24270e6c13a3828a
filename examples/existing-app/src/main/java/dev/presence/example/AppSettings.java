package dev.presence.example;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where the app listens, where presence is, and the three secrets it shares with presence. From environment
 * variables, so the README's steps are a few exports and one command.
 *
 * @param port          where this app listens (ACME_PORT, default 8090; 0 for any free port)
 * @param presence      the presence server's base URL (PRESENCE_URL, default http://127.0.0.1:8080)
 * @param apiKey        a key of presence's server API (first line of PRESENCE_API_KEY_FILE)
 * @param jwtSecret     the HS256 secret presence checks our tokens with (PRESENCE_JWT_SECRET_FILE)
 * @param webhookSecret what presence signs its webhooks with (PRESENCE_WEBHOOK_SECRET_FILE)
 */
public record AppSettings(int port, URI presence, String apiKey, byte[] jwtSecret, byte[] webhookSecret) {

    /** The settings from this environment; a missing file is an {@link IllegalArgumentException} naming it. */
    public static AppSettings fromEnvironment(Map<String, String> env) {
        int port = Integer.parseInt(env.getOrDefault("ACME_PORT", "8090"));
        URI presence = URI.create(stripSlash(env.getOrDefault("PRESENCE_URL", "http://127.0.0.1:8080")));
        String apiKey = read(env, "PRESENCE_API_KEY_FILE").lines().map(String::strip)
                .filter(line -> !line.isEmpty()).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("PRESENCE_API_KEY_FILE holds no key"));
        return new AppSettings(port, presence, apiKey, secret(env, "PRESENCE_JWT_SECRET_FILE"),
                secret(env, "PRESENCE_WEBHOOK_SECRET_FILE"));
    }

    private static byte[] secret(Map<String, String> env, String variable) {
        return read(env, variable).strip().getBytes(StandardCharsets.UTF_8); // as presence reads it
    }

    private static String read(Map<String, String> env, String variable) {
        String file = env.get(variable);
        if (file == null || file.isBlank()) {
            throw new IllegalArgumentException(variable + " is not set: give the file presence was started with");
        }
        try {
            return Files.readString(Path.of(file));
        } catch (IOException e) {
            throw new UncheckedIOException(variable + ": cannot read " + file, e);
        }
    }

    private static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    /** Presence's WebSocket address, for the app's clients. */
    public URI presenceWebSocket() {
        String base = presence.toString();
        return URI.create((base.startsWith("https:") ? "wss:" : "ws:") + base.substring(base.indexOf(':') + 1) + "/ws");
    }
}
