package dev.presence.server.chat;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.presence.server.config.Integration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.Date;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The app's JWTs: what is accepted, what is refused, and how the key files are read. Tokens are signed here. */
class AppJwtsTest {

    static final String SECRET = "0123456789abcdef0123456789abcdef-test-secret";
    static final KeyPair RSA = generate("RSA", 2048);
    static final KeyPair EC = generateEc("secp256r1");

    private final AtomicLong now = new AtomicLong(1_800_000_000_000L);

    @TempDir
    Path dir;

    // --- signing, as an app would ----------------------------------------------------------------------

    static KeyPair generate(String alg, int bits) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance(alg);
            g.initialize(bits);
            return g.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static KeyPair generateEc(String curve) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec(curve));
            return g.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String sign(JWSAlgorithm alg, JWSSigner signer, JWTClaimsSet claims) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader(alg), claims);
            jwt.sign(signer);
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    static String hs256(JWTClaimsSet claims) {
        return hs(JWSAlgorithm.HS256, SECRET, claims);
    }

    static String hs(JWSAlgorithm alg, String secret, JWTClaimsSet claims) {
        try {
            return sign(alg, new MACSigner(secret.getBytes(StandardCharsets.UTF_8)), claims);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    static String rs256(KeyPair keys, JWTClaimsSet claims) {
        return sign(JWSAlgorithm.RS256, new RSASSASigner(keys.getPrivate()), claims);
    }

    static String es256(KeyPair keys, JWTClaimsSet claims) {
        try {
            return sign(JWSAlgorithm.ES256, new ECDSASigner((java.security.interfaces.ECPrivateKey) keys.getPrivate()),
                    claims);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    static String pem(PublicKey key) {
        return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(key.getEncoded()) + "\n-----END PUBLIC KEY-----\n";
    }

    private JWTClaimsSet claims(Consumer<JWTClaimsSet.Builder> changes) {
        JWTClaimsSet.Builder b = new JWTClaimsSet.Builder().subject("app-user:42")
                .issueTime(new Date(now.get() - 1000)).expirationTime(new Date(now.get() + 60_000));
        changes.accept(b);
        return b.build();
    }

    private JWTClaimsSet claims() {
        return claims(b -> { });
    }

    private AppJwts withSecret() {
        return new AppJwts(SECRET.getBytes(StandardCharsets.UTF_8), null, now::get);
    }

    private AppJwts withKey(PublicKey key) {
        return new AppJwts(null, key, now::get);
    }

    private static Optional<AppJwts.AppToken> verify(AppJwts jwts, String token) {
        return jwts.verify(token, Tokens.hash(token));
    }

    // --- accepted --------------------------------------------------------------------------------------

    @Test
    void hs256Rs256AndEs256TokensAreAcceptedWithTheirClaims() {
        JWTClaimsSet c = claims(b -> b.claim("name", "  Ann Example "));
        AppJwts.AppToken hs = verify(withSecret(), hs256(c)).orElseThrow();
        assertThat(hs.userId()).isEqualTo("app-user:42");
        assertThat(hs.name()).isEqualTo("Ann Example");
        assertThat(hs.issuedAt()).isEqualTo(c.getIssueTime().getTime());
        assertThat(hs.expiresAt()).isEqualTo(c.getExpirationTime().getTime());
        assertThat(verify(withKey(RSA.getPublic()), rs256(RSA, c))).contains(hs);
        assertThat(verify(withKey(EC.getPublic()), es256(EC, c))).contains(hs);
    }

    @Test
    void bothKeysConfiguredAcceptBothKinds() {
        AppJwts both = new AppJwts(SECRET.getBytes(StandardCharsets.UTF_8), RSA.getPublic(), now::get);
        assertThat(verify(both, hs256(claims()))).isPresent();
        assertThat(verify(both, rs256(RSA, claims()))).isPresent();
        assertThat(verify(both, es256(EC, claims()))).isEmpty();
    }

    @Test
    void nbfAndIatWithinTheLeewayAreAcceptedAndTheIssueTimeFallsBackToNbf() {
        long soon = now.get() + AppJwts.LEEWAY_MILLIS - 2000;
        assertThat(verify(withSecret(), hs256(claims(b -> b.issueTime(new Date(soon)))))).isPresent();
        AppJwts.AppToken t = verify(withSecret(), hs256(claims(b -> b.issueTime(null).notBeforeTime(new Date(soon)))))
                .orElseThrow();
        assertThat(t.issuedAt()).isEqualTo(soon / 1000 * 1000);
        AppJwts.AppToken none = verify(withSecret(), hs256(claims(b -> b.issueTime(null)))).orElseThrow();
        assertThat(none.issuedAt()).isEqualTo(AppJwts.NEVER_ISSUED);
    }

    @Test
    void aBadOrNonStringNameIsIgnoredNotRefused() {
        assertThat(verify(withSecret(), hs256(claims(b -> b.claim("name", "evil\u202Eeman")))).orElseThrow().name())
                .isNull();
        assertThat(verify(withSecret(), hs256(claims(b -> b.claim("name", "x".repeat(101))))).orElseThrow().name())
                .isNull();
        assertThat(verify(withSecret(), hs256(claims(b -> b.claim("name", 42)))).orElseThrow().name()).isNull();
        assertThat(verify(withSecret(), hs256(claims(b -> b.claim("name", "   ")))).orElseThrow().name()).isNull();
    }

    // --- refused ---------------------------------------------------------------------------------------

    @Test
    void expiredAndNotYetValidTokensAreRefused() {
        AppJwts jwts = withSecret();
        assertThat(verify(jwts, hs256(claims(b -> b.expirationTime(new Date(now.get() - 1000)))))).isEmpty();
        long beyond = now.get() + AppJwts.LEEWAY_MILLIS + 5000;
        assertThat(verify(jwts, hs256(claims(b -> b.notBeforeTime(new Date(beyond)))))).isEmpty();
        assertThat(verify(jwts, hs256(claims(b -> b.issueTime(new Date(beyond)))))).isEmpty();
    }

    @Test
    void aRememberedTokenIsRefusedOnceItsExpPasses() {
        AppJwts jwts = withSecret();
        String token = hs256(claims());
        assertThat(verify(jwts, token)).isPresent();
        assertThat(jwts.rememberedCount()).isEqualTo(1);
        now.addAndGet(60_000);
        assertThat(verify(jwts, token)).isEmpty();
        assertThat(jwts.rememberedCount()).isZero();
    }

    @Test
    void missingSubOrExpAndBadSubAreRefused() {
        AppJwts jwts = withSecret();
        assertThat(verify(jwts, hs256(claims(b -> b.subject(null))))).isEmpty();
        assertThat(verify(jwts, hs256(claims(b -> b.expirationTime(null))))).isEmpty();
        assertThat(verify(jwts, hs256(claims(b -> b.subject("has space"))))).isEmpty();
        assertThat(verify(jwts, hs256(claims(b -> b.subject("x".repeat(129)))))).isEmpty();
        assertThat(verify(jwts, hs256(claims(b -> b.subject(""))))).isEmpty();
        assertThat(verify(jwts, hs256(claims(b -> b.subject("x".repeat(128)))))).isPresent();
    }

    @Test
    void aWrongKeyIsRefused() {
        assertThat(verify(withSecret(), hs(JWSAlgorithm.HS256, SECRET + "-other", claims()))).isEmpty();
        assertThat(verify(withKey(RSA.getPublic()), rs256(generate("RSA", 2048), claims()))).isEmpty();
        assertThat(verify(withKey(EC.getPublic()), es256(generateEc("secp256r1"), claims()))).isEmpty();
    }

    @Test
    void anAlgOtherThanConfiguredIsRefusedAndNoKeyConfusion() {
        assertThat(verify(withKey(RSA.getPublic()), hs256(claims()))).as("HS token, RS config").isEmpty();
        assertThat(verify(withSecret(), rs256(RSA, claims()))).as("RS token, HS config").isEmpty();
        assertThat(verify(withSecret(), hs(JWSAlgorithm.HS384, SECRET + SECRET, claims()))).as("HS384").isEmpty();
        assertThat(verify(withKey(RSA.getPublic()), es256(EC, claims()))).as("ES token, RS config").isEmpty();
        // the classic confusion: an HS256 token whose "secret" is the public key's PEM text or DER bytes
        String pemAsSecret = hs(JWSAlgorithm.HS256, pem(RSA.getPublic()), claims());
        assertThat(verify(withKey(RSA.getPublic()), pemAsSecret)).isEmpty();
        AppJwts both = new AppJwts(SECRET.getBytes(StandardCharsets.UTF_8), RSA.getPublic(), now::get);
        assertThat(verify(both, pemAsSecret)).isEmpty();
    }

    @Test
    void algNoneIsRefused() {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String header = b64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        String payload = b64.encodeToString(claims().toString().getBytes(StandardCharsets.UTF_8));
        for (AppJwts jwts : new AppJwts[] {withSecret(), withKey(RSA.getPublic())}) {
            assertThat(verify(jwts, header + "." + payload + ".")).isEmpty();
            assertThat(verify(jwts, header + "." + payload + ".c2ln")).isEmpty();
        }
    }

    @Test
    void aTamperedPayloadIsRefused() {
        String token = hs256(claims());
        String[] parts = token.split("\\.");
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String forged = b64.encodeToString(claims(b -> b.subject("admin")).toString()
                .getBytes(StandardCharsets.UTF_8));
        assertThat(verify(withSecret(), parts[0] + "." + forged + "." + parts[2])).isEmpty();
        String rs = rs256(RSA, claims());
        String[] rsParts = rs.split("\\.");
        assertThat(verify(withKey(RSA.getPublic()), rsParts[0] + "." + forged + "." + rsParts[2])).isEmpty();
    }

    @Test
    void aHugeTokenIsRefusedBeforeParsingAndGarbageIsRefused() {
        String huge = hs256(claims(b -> b.claim("pad", "x".repeat(AppJwts.MAX_TOKEN_CHARS))));
        assertThat(verify(withSecret(), huge)).isEmpty();
        assertThat(verify(withSecret(), "a.b.c")).isEmpty();
        assertThat(verify(withSecret(), "...")).isEmpty();
        assertThat(verify(withSecret(), "!!.??.**")).isEmpty();
    }

    @Test
    void looksLikeJwtMeansExactlyThreeNonEmptyHeaderAndPayloadParts() {
        assertThat(AppJwts.looksLikeJwt("a.b.c")).isTrue();
        assertThat(AppJwts.looksLikeJwt("a.b.")).isTrue();
        assertThat(AppJwts.looksLikeJwt("a.b")).isFalse();
        assertThat(AppJwts.looksLikeJwt("a.b.c.d.e")).isFalse();
        assertThat(AppJwts.looksLikeJwt(".b.c")).isFalse();
        assertThat(AppJwts.looksLikeJwt("a..c")).isFalse();
        assertThat(AppJwts.looksLikeJwt(Tokens.newToken())).isFalse();
    }

    // --- key files --------------------------------------------------------------------------------------

    private Path file(String name, String text) throws Exception {
        return Files.writeString(dir.resolve(name), text);
    }

    @Test
    void keyFilesAreReadAndTheSecretTrimmed() throws Exception {
        Integration integration = Integration.none().withJwtSecretFile(file("secret", "\n  " + SECRET + "  \n"))
                .withJwtPublicKeyFile(file("ec.pem", pem(EC.getPublic())));
        AppJwts jwts = AppJwts.load(integration, now::get).orElseThrow();
        assertThat(jwts.algorithms()).isEqualTo("HS256 and ES256");
        assertThat(verify(jwts, hs256(claims()))).isPresent();
        assertThat(verify(jwts, es256(EC, claims()))).isPresent();
        assertThat(AppJwts.load(Integration.none(), now::get)).isEmpty();
        AppJwts rsa = AppJwts.load(Integration.none().withJwtPublicKeyFile(file("rsa.pem", pem(RSA.getPublic()))),
                now::get).orElseThrow();
        assertThat(verify(rsa, rs256(RSA, claims()))).isPresent();
        assertThat(rsa.algorithms()).isEqualTo("RS256");
    }

    @Test
    void badKeyFilesAreRefusedInOneLineNamingTheFlag() throws Exception {
        assertBad(Integration.none().withJwtSecretFile(dir.resolve("missing")), "--jwt-secret-file", "cannot read");
        assertBad(Integration.none().withJwtSecretFile(file("short", "  too-short-secret  \n")),
                "--jwt-secret-file", "at least 32 bytes");
        assertBad(Integration.none().withJwtPublicKeyFile(dir.resolve("missing.pem")), "--jwt-public-key-file",
                "cannot read");
        assertBad(Integration.none().withJwtPublicKeyFile(file("junk.pem", "hello")), "--jwt-public-key-file",
                "BEGIN PUBLIC KEY");
        assertBad(Integration.none().withJwtPublicKeyFile(file("p384.pem", pem(generateEc("secp384r1").getPublic()))),
                "--jwt-public-key-file", "P-256");
        assertBad(Integration.none().withJwtPublicKeyFile(file("rsa1024.pem", pem(generate("RSA", 1024).getPublic()))),
                "--jwt-public-key-file", "2048");
        assertBad(Integration.none().withJwtPublicKeyFile(file("garbage.pem",
                "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")), "--jwt-public-key-file",
                "not an RSA or EC P-256 public key");
    }

    private void assertBad(Integration integration, String flag, String says) {
        assertThatThrownBy(() -> AppJwts.load(integration, now::get)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(flag).hasMessageContaining(says).satisfies(e ->
                        assertThat(e.getMessage()).doesNotContain("\n"));
    }

    /** Not an assertion: what one verification costs per alg on this machine, for the docs (printed). */
    @Test
    void verificationCostPerAlg() {
        long hs = cost(withSecret(), AppJwtsTest::hs256);
        long rs = cost(withKey(RSA.getPublic()), c -> rs256(RSA, c));
        long es = cost(withKey(EC.getPublic()), c -> es256(EC, c));
        System.out.printf("JWT verify cost per token (first check, not remembered): HS256 %d µs, RS256 %d µs,"
                + " ES256 %d µs; remembered: a cache lookup%n", hs / 1000, rs / 1000, es / 1000);
    }

    private long cost(AppJwts jwts, java.util.function.Function<JWTClaimsSet, String> signer) {
        int n = 300;
        String[] made = new String[n];
        for (int i = 0; i < n; i++) {
            int k = i;
            made[i] = signer.apply(claims(b -> b.jwtID("j" + k))); // all different: none is remembered
        }
        for (int i = 0; i < n / 3; i++) { // warm-up
            verify(jwts, made[i]);
        }
        long start = System.nanoTime();
        for (int i = n / 3; i < n; i++) {
            assertThat(verify(jwts, made[i])).isPresent();
        }
        return (System.nanoTime() - start) / (n - n / 3);
    }
}
