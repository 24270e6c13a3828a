package dev.presence.example;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Where presence's webhooks arrive: the signature is checked before anything is read, a webhook seen before (they
 * come at least once) is ignored by its id, and a user's status is kept only if its version is newer (the same rule
 * the clients use), so a retried old webhook can never bring back an old status.
 */
public final class WebhookInbox {

    /** What the app now believes of a user, from the webhooks. */
    public record Status(String userId, boolean online, long lastSeen, long version) {
    }

    /** Why a webhook was refused: answered with 401 or 400, so presence retries it (a real app alerts on these). */
    static final class Refused extends Exception {
        final int status;

        Refused(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int REMEMBERED_IDS = 10_000;

    private final byte[] secret;
    private final Consumer<Status> onChange;
    private final Map<String, Status> statuses = new ConcurrentHashMap<>();
    private final Set<String> seen = java.util.Collections.newSetFromMap(new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > REMEMBERED_IDS;
        }
    });

    WebhookInbox(byte[] secret, Consumer<Status> onChange) {
        this.secret = secret.clone();
        this.onChange = onChange;
    }

    /** Takes one webhook: its raw body and its {@code X-Presence-Signature} header. */
    void accept(byte[] body, String signature) throws Refused {
        if (signature == null || !signature.startsWith("sha256=")
                || !MessageDigest.isEqual(hmac(body), hex(signature.substring("sha256=".length())))) {
            throw new Refused(401, "bad signature");
        }
        JsonNode hook;
        try {
            hook = JSON.readTree(body);
        } catch (IOException e) {
            throw new Refused(400, "not JSON");
        }
        if (!"user_status_changed".equals(hook.path("type").asText())) {
            return; // a kind of webhook this app does not use
        }
        synchronized (seen) {
            if (!seen.add(hook.path("id").asText())) {
                return; // delivered twice: at least once means sometimes more
            }
        }
        Status status = new Status(hook.path("user_id").asText(), hook.path("is_online").asBoolean(),
                hook.path("last_seen").asLong(), hook.path("version").asLong());
        Status kept = statuses.merge(status.userId(), status, (old, now) -> now.version() > old.version() ? now : old);
        if (kept == status) {
            onChange.accept(status);
        }
    }

    /** The app's view of who is online, as the webhooks told it. */
    Map<String, Status> statuses() {
        return Map.copyOf(statuses);
    }

    private byte[] hmac(byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return mac.doFinal(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    private static byte[] hex(String text) {
        try {
            return HexFormat.of().parseHex(text);
        } catch (IllegalArgumentException e) {
            return new byte[0];
        }
    }
}
