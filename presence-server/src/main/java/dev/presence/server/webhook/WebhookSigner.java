package dev.presence.server.webhook;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;
import java.util.HexFormat;

/**
 * Signs webhook bodies: {@code X-Presence-Signature: sha256=<hex HMAC-SHA256 of the exact body bytes>}, so the
 * app can tell the POST came from its presence server and was not changed on the way.
 */
public final class WebhookSigner {

    /** The header that carries the signature. */
    public static final String HEADER = "X-Presence-Signature";

    private final SecretKeySpec key;

    public WebhookSigner(byte[] secret) {
        if (secret.length == 0) {
            throw new IllegalArgumentException("the webhook secret must not be empty");
        }
        this.key = new SecretKeySpec(secret, "HmacSHA256");
    }

    /** The header's value for these exact bytes: {@code sha256=} and 64 lower-case hex digits. */
    public String sign(byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256"); // not thread-safe: one per call, cheap next to a POST
            mac.init(key);
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
