package dev.presence.server.chat;

import dev.presence.server.domain.Ids;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Login tokens: 256 random bits given to the client once; the store keeps only their SHA-256. */
public final class Tokens {

    private Tokens() {
    }

    public static String newToken() {
        return Ids.random(32);
    }

    public static String hash(String token) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(sha.digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
