package dev.presence.bench;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;

/**
 * The bench as the "existing chat backend" of integration mode (PROTOCOL.md v2): it holds the server API key
 * and the HS256 secret (written to files for {@code --api-key-file} / {@code --jwt-secret-file}), signs its
 * users' JWTs, and provisions users and threads through {@code /api/server/...}.
 */
final class ServerApiClient {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    final String apiKey;
    final byte[] jwtSecret;
    final Path apiKeyFile;
    final Path jwtSecretFile;
    private String base;

    /** Makes a fresh key and secret and writes them under {@code dir}. */
    ServerApiClient(Path dir) throws IOException {
        SecureRandom random = new SecureRandom();
        byte[] key = new byte[24];
        byte[] secret = new byte[32];
        random.nextBytes(key);
        random.nextBytes(secret);
        apiKey = "bench-" + HexFormat.of().formatHex(key);
        String secretText = HexFormat.of().formatHex(secret); // 64 ASCII bytes: above the 32-byte minimum
        jwtSecret = secretText.getBytes(StandardCharsets.UTF_8);
        Files.createDirectories(dir);
        apiKeyFile = Files.writeString(dir.resolve("api-keys"), apiKey + "\n");
        jwtSecretFile = Files.writeString(dir.resolve("jwt-secret"), secretText + "\n");
    }

    /** The server flags that turn integration mode on with this key and secret. */
    List<String> serverFlags() {
        return List.of("--api-key-file", apiKeyFile.toString(), "--jwt-secret-file", jwtSecretFile.toString());
    }

    void target(String baseUrl) {
        this.base = baseUrl;
    }

    String authorization() {
        return "ApiKey " + apiKey;
    }

    /** An HS256 JWT for {@code userId}, valid for {@code ttl}. */
    String jwt(String userId, Duration ttl) {
        try {
            JWTClaimsSet claims = new JWTClaimsSet.Builder().subject(userId)
                    .issueTime(new Date())
                    .expirationTime(new Date(System.currentTimeMillis() + ttl.toMillis())).build();
            SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
            jwt.sign(new MACSigner(jwtSecret));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether the server takes this JWT as a login token ({@code GET /api/me} answers 200). */
    boolean acceptsJwt(String userId) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/me"))
                .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + jwt(userId, Duration.ofMinutes(5)))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() == 200;
    }

    /** One call; returns the status code and body. */
    HttpResponse<String> call(String method, String path, String json) throws IOException, InterruptedException {
        return HTTP.send(request(method, path, json), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest request(String method, String path, String json) {
        HttpRequest.BodyPublisher body = json == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(json);
        return HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", authorization()).header("Content-Type", "application/json")
                .method(method, body).build();
    }

    /**
     * Why the server API cannot be used on this server (it answers 404 on its routes: an older jar, or
     * integration mode off), or null when it can.
     */
    String unavailable() throws IOException, InterruptedException {
        HttpResponse<String> r = call("PUT", "/api/server/users/" + Ring.userId(0),
                "{\"display_name\":\"Bench User 0\"}");
        if (r.statusCode() == 200 || r.statusCode() == 201) {
            return null;
        }
        return "PUT /api/server/users/{id} answered " + r.statusCode() + " " + r.body()
                + (r.statusCode() == 404 ? " (this server jar has no server API yet)" : "");
    }

    /**
     * Users 0..n-1: in bulk ({@code PUT /api/server/users {users:[{id, username, display_name}]}}, 1,000 per
     * call, the server API's addition to the contract); where the server does not have it, one
     * {@code PUT /api/server/users/{id}} each, {@code parallel} at a time.
     */
    void putUsers(int n, int parallel) throws InterruptedException, IOException {
        for (int from = 0; from < n; from += 1_000) {
            StringBuilder b = new StringBuilder("{\"users\":[");
            for (int u = from; u < Math.min(n, from + 1_000); u++) {
                b.append(u == from ? "" : ",").append("{\"id\":\"").append(Ring.userId(u))
                        .append("\",\"username\":\"bench").append(u).append("\",\"display_name\":\"Bench User ")
                        .append(u).append("\"}");
            }
            HttpResponse<String> r = call("PUT", "/api/server/users", b.append("]}").toString());
            if (r.statusCode() == 404 || r.statusCode() == 405) {
                putUsersOneByOne(n, parallel);
                return;
            }
            if (r.statusCode() / 100 != 2) {
                throw new IllegalStateException("PUT /api/server/users answered " + r.statusCode() + " " + r.body());
            }
        }
    }

    private void putUsersOneByOne(int n, int parallel) throws InterruptedException, IOException {
        List<String> bodies = new ArrayList<>(n);
        List<String> paths = new ArrayList<>(n);
        for (int u = 0; u < n; u++) {
            paths.add("/api/server/users/" + Ring.userId(u));
            bodies.add("{\"username\":\"bench" + u + "\",\"display_name\":\"Bench User " + u + "\"}");
        }
        all("PUT", paths, bodies, parallel);
    }

    /** {@code PUT /api/server/threads/{id}} with the given members. */
    void putThread(String threadId, int[] members) throws IOException, InterruptedException {
        StringBuilder b = new StringBuilder("{\"title\":\"bench ").append(threadId).append("\",\"members\":[");
        for (int i = 0; i < members.length; i++) {
            b.append(i == 0 ? "" : ",").append('"').append(Ring.userId(members[i])).append('"');
        }
        b.append("]}");
        HttpResponse<String> r = call("PUT", "/api/server/threads/" + threadId, b.toString());
        if (r.statusCode() != 200 && r.statusCode() != 201) {
            throw new IllegalStateException("PUT /api/server/threads/" + threadId + " answered " + r.statusCode()
                    + " " + r.body());
        }
    }

    private void all(String method, List<String> paths, List<String> bodies, int parallel)
            throws InterruptedException, IOException {
        Semaphore gate = new Semaphore(parallel);
        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < paths.size(); i++) {
            gate.acquire();
            String path = paths.get(i);
            calls.add(HTTP.sendAsync(request(method, path, bodies.get(i)), HttpResponse.BodyHandlers.ofString())
                    .whenComplete((r, e) -> gate.release()));
        }
        for (int i = 0; i < calls.size(); i++) {
            HttpResponse<String> r;
            try {
                r = calls.get(i).join();
            } catch (RuntimeException e) {
                throw new IOException(method + " " + paths.get(i) + " failed: " + e.getMessage(), e);
            }
            if (r.statusCode() / 100 != 2) {
                throw new IllegalStateException(method + " " + paths.get(i) + " answered " + r.statusCode() + " "
                        + r.body());
            }
        }
    }
}
