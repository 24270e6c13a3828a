package dev.presence.server.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An app's webhook endpoint for tests, on a free loopback port: it checks each POST's signature as an app
 * would, and answers 204, or 500 ({@link #fail}), or nothing at all until released ({@link #stall}).
 */
public final class WebhookReceiver implements AutoCloseable {

    /** A POST as it arrived. */
    public record Received(JsonNode body, String id, boolean signatureValid, int answered) {
    }

    /** What the endpoint does with the next POSTs. */
    public enum Mode { ANSWER, FAIL, STALL }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final byte[] secret;
    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger attempts = new AtomicInteger();
    private volatile Mode mode = Mode.ANSWER;
    private volatile CountDownLatch stalled = new CountDownLatch(0);

    public WebhookReceiver(String secret) throws IOException {
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/hook", this::handle);
        server.setExecutor(threads);
        server.start();
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook");
    }

    /** Answers 500 to every POST from now on. */
    public void fail() {
        mode = Mode.FAIL;
    }

    /** Answers nothing from now on: each POST waits until {@link #answer()}. */
    public void stall() {
        stalled = new CountDownLatch(1);
        mode = Mode.STALL;
    }

    /** Answers 204 from now on (and lets stalled POSTs go, answering them 204, as a receiver that woke up). */
    public void answer() {
        mode = Mode.ANSWER;
        stalled.countDown();
    }

    /** Every POST so far, answered or not. */
    public int attempts() {
        return attempts.get();
    }

    /** The POSTs answered with a 2xx, in the order they were answered. */
    public List<Received> accepted() {
        return received.stream().filter(r -> r.answered() / 100 == 2).toList();
    }

    /** The accepted POSTs of one user, in order. */
    public List<Received> acceptedFor(String userId) {
        return accepted().stream().filter(r -> r.body().path("user_id").asText().equals(userId)).toList();
    }

    private void handle(HttpExchange exchange) throws IOException {
        attempts.incrementAndGet();
        byte[] body = exchange.getRequestBody().readAllBytes();
        Mode now = mode;
        if (now == Mode.STALL) {
            try {
                stalled.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        int status = now == Mode.FAIL ? 500 : 204;
        boolean valid = MessageDigest.isEqual(signature(body).getBytes(StandardCharsets.US_ASCII),
                String.valueOf(exchange.getRequestHeaders().getFirst("X-Presence-Signature"))
                        .getBytes(StandardCharsets.US_ASCII));
        try {
            exchange.sendResponseHeaders(status, -1);
        } catch (IOException e) {
            status = 0; // the sender gave up (its timeout) before the answer
        }
        exchange.close();
        if (status != 0) {
            received.add(new Received(JSON.readTree(body), exchange.getRequestHeaders().getFirst(
                    "X-Presence-Webhook-Id"), valid, status));
        }
    }

    /** As an app checks it: HMAC-SHA256 of the exact body bytes with the shared secret. */
    private String signature(byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        stalled.countDown();
        server.stop(0);
        threads.shutdownNow();
    }
}
