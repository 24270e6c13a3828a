package dev.presence.server.support;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Date;
import java.util.function.Consumer;

/**
 * The app's side of integration mode in tests: an HS256 secret and an RSA key pair, written where the server's
 * flags can read them, and JWTs signed with them (claims: {@code sub}, {@code iat} a second ago, {@code exp} in a
 * minute, unless the test changes them).
 */
public final class TestJwts {

    public static final String SECRET = "integration-test-secret-0123456789-abcdefghij";
    private static final KeyPair RSA = rsa();

    private TestJwts() {
    }

    private static KeyPair rsa() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            return g.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes the secret (with surrounding whitespace, as an editor may leave it) into {@code dir/jwt-secret}. */
    public static Path secretFile(Path dir) {
        return write(dir.resolve("jwt-secret"), "  " + SECRET + "\n");
    }

    /** Writes the RSA public key, PEM, into {@code dir/jwt-public.pem}. */
    public static Path publicKeyFile(Path dir) {
        String pem = "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'})
                .encodeToString(RSA.getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n";
        return write(dir.resolve("jwt-public.pem"), pem);
    }

    private static Path write(Path file, String text) {
        try {
            return Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Claims for {@code sub}: issued a second ago, expiring in a minute; {@code changes} may alter them. */
    public static JWTClaimsSet claims(String sub, Consumer<JWTClaimsSet.Builder> changes) {
        long now = System.currentTimeMillis();
        JWTClaimsSet.Builder b = new JWTClaimsSet.Builder().subject(sub).issueTime(new Date(now - 1000))
                .expirationTime(new Date(now + 60_000));
        changes.accept(b);
        return b.build();
    }

    public static String hs256(String sub) {
        return hs256(claims(sub, b -> { }));
    }

    public static String hs256(JWTClaimsSet claims) {
        try {
            return sign(JWSAlgorithm.HS256, new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)), claims);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String rs256(JWTClaimsSet claims) {
        return sign(JWSAlgorithm.RS256, new RSASSASigner(RSA.getPrivate()), claims);
    }

    private static String sign(JWSAlgorithm alg, JWSSigner signer, JWTClaimsSet claims) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader(alg), claims);
            jwt.sign(signer);
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An unsigned token ({@code alg: none}) with those claims. */
    public static String unsigned(JWTClaimsSet claims) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        return b64.encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(claims.toString().getBytes(StandardCharsets.UTF_8)) + ".";
    }
}
