package dev.presence.server.domain;

import java.security.SecureRandom;
import java.util.Base64;

/** Opaque random identifiers and secrets. */
public final class Ids {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

    private Ids() {
    }

    /** An id like {@code u_3kT9...}: a prefix that tells the kind, then 96 random bits. */
    public static String newId(String prefix) {
        return prefix + "_" + random(12);
    }

    /** {@code bytes} random bytes, URL-safe Base64 without padding. */
    public static String random(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return ENCODER.encodeToString(b);
    }
}
