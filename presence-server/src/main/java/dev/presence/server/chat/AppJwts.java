package dev.presence.server.chat;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.presence.server.config.Integration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.util.Base64;
import java.util.Date;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * Checks the app's JWTs (integration mode): built once at start from {@link Integration}'s key files, it accepts
 * exactly HS256 with the secret and RS256 (RSA key) or ES256 (EC P-256 key) with the public key, whichever are
 * configured. Any other {@code alg}, {@code none} included, is refused, and a token is only ever checked with the
 * key of its own kind, so an HS256 token can never be "verified" with the public key's bytes.
 *
 * <p>Claims: {@code sub} (1 to 128 of {@code A-Z a-z 0-9 _ . : -}) and {@code exp} are required; {@code nbf} and
 * {@code iat} may be up to {@link #LEEWAY_MILLIS} in the future (clock skew); {@code exp} has no leeway, so a
 * socket's close at {@code exp} and the refusal of the token agree. An {@code iat} or {@code nbf} further in the
 * future is refused. {@code name} is optional; one that is not a string, blank, over 100 characters or with
 * characters a display name may not hold is ignored (the token is accepted, the name left as it was), so a user
 * is never locked out by what they typed as their name in the app.
 *
 * <p>Verified tokens are remembered (bounded, each until its {@code exp}) by their SHA-256, so a reconnect storm
 * does not redo RS256/ES256 verifications. Refused tokens are not remembered.
 */
public final class AppJwts {

    private static final Logger log = LoggerFactory.getLogger(AppJwts.class);

    /** Longer tokens are refused before anything is parsed. */
    public static final int MAX_TOKEN_CHARS = 8 * 1024;
    /** How far {@code nbf} and {@code iat} may lie in the future. */
    public static final long LEEWAY_MILLIS = 30_000;
    /** No issue time in the token: issued "before everything", so refused once the user was ever revoked. */
    public static final long NEVER_ISSUED = Long.MIN_VALUE;

    private static final int MIN_SECRET_BYTES = 32;
    private static final int MIN_RSA_BITS = 2048;
    private static final Pattern APP_ID = Pattern.compile("[A-Za-z0-9_.:-]{1,128}");
    private static final long MAX_REMEMBERED = 100_000;

    /**
     * A verified token.
     *
     * @param userId    {@code sub}: the presence user id
     * @param name      {@code name}, stripped, or null if absent or ignored
     * @param issuedAt  {@code iat}, else {@code nbf} (epoch ms); {@link #NEVER_ISSUED} if neither
     * @param expiresAt {@code exp} (epoch ms)
     */
    public record AppToken(String userId, String name, long issuedAt, long expiresAt) {
    }

    private final JWSVerifier hs256;
    private final JWSVerifier publicKey;
    private final JWSAlgorithm publicKeyAlg;
    private final LongSupplier clock;
    private final Cache<String, AppToken> verified;

    AppJwts(byte[] secret, PublicKey key, LongSupplier clock) {
        try {
            this.hs256 = secret == null ? null : new MACVerifier(secret);
            if (key instanceof RSAPublicKey rsa) {
                this.publicKey = new RSASSAVerifier(rsa);
                this.publicKeyAlg = JWSAlgorithm.RS256;
            } else if (key instanceof ECPublicKey ec) {
                this.publicKey = new ECDSAVerifier(ec);
                this.publicKeyAlg = JWSAlgorithm.ES256;
            } else {
                this.publicKey = null;
                this.publicKeyAlg = null;
            }
        } catch (JOSEException e) {
            throw new IllegalArgumentException("cannot use the JWT key: " + e.getMessage(), e);
        }
        this.clock = clock;
        this.verified = Caffeine.newBuilder()
                .maximumSize(MAX_REMEMBERED)
                .expireAfter(new Expiry<String, AppToken>() {
                    @Override
                    public long expireAfterCreate(String hash, AppToken token, long now) {
                        long left = token.expiresAt() - clock.getAsLong();
                        return TimeUnit.MILLISECONDS.toNanos(Math.max(0, left));
                    }

                    @Override
                    public long expireAfterUpdate(String hash, AppToken token, long now, long current) {
                        return expireAfterCreate(hash, token, now);
                    }

                    @Override
                    public long expireAfterRead(String hash, AppToken token, long now, long current) {
                        return current;
                    }
                })
                .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.getAsLong()))
                .executor(Runnable::run) // upkeep on the caller's thread: cheap, no extra pool
                .build();
    }

    /**
     * The verifier for the configured key files, or empty when no JWT key is configured. Reads the files now.
     *
     * @throws IllegalArgumentException in one line naming the flag, if a file is missing, unreadable, a secret
     *                                  shorter than 32 bytes, or not a PEM RSA (2048 bits or more) or EC P-256
     *                                  public key
     */
    public static Optional<AppJwts> load(Integration integration, LongSupplier clock) {
        if (!integration.acceptsJwts()) {
            return Optional.empty();
        }
        byte[] secret = integration.jwtSecretFile().map(AppJwts::readSecret).orElse(null);
        PublicKey key = integration.jwtPublicKeyFile().map(AppJwts::readPublicKey).orElse(null);
        return Optional.of(new AppJwts(secret, key, clock));
    }

    private static byte[] readSecret(Path file) {
        byte[] secret = read("--jwt-secret-file", file).strip().getBytes(StandardCharsets.UTF_8);
        if (secret.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("--jwt-secret-file " + file + ": the HS256 secret must be at least "
                    + MIN_SECRET_BYTES + " bytes (it has " + secret.length + "); make one with: openssl rand -base64 48");
        }
        return secret;
    }

    private static PublicKey readPublicKey(Path file) {
        String pem = read("--jwt-public-key-file", file);
        String where = "--jwt-public-key-file " + file + ": ";
        String begin = "-----BEGIN PUBLIC KEY-----";
        String end = "-----END PUBLIC KEY-----";
        int from = pem.indexOf(begin);
        int to = pem.indexOf(end);
        if (from < 0 || to < from) {
            throw new IllegalArgumentException(where + "expected a PEM public key (-----BEGIN PUBLIC KEY-----);"
                    + " get one with: openssl pkey -in private.pem -pubout");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(pem.substring(from + begin.length(), to));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + "the PEM block is not valid Base64");
        }
        X509EncodedKeySpec spec = new X509EncodedKeySpec(der);
        try {
            RSAPublicKey rsa = (RSAPublicKey) KeyFactory.getInstance("RSA").generatePublic(spec);
            if (rsa.getModulus().bitLength() < MIN_RSA_BITS) {
                throw new IllegalArgumentException(where + "the RSA key has " + rsa.getModulus().bitLength()
                        + " bits; RS256 needs at least " + MIN_RSA_BITS);
            }
            return rsa;
        } catch (GeneralSecurityException | ClassCastException notRsa) {
            // not RSA: try EC below
        }
        try {
            ECPublicKey ec = (ECPublicKey) KeyFactory.getInstance("EC").generatePublic(spec);
            if (!Curve.P_256.equals(Curve.forECParameterSpec(ec.getParams()))) {
                throw new IllegalArgumentException(where + "the EC key is not on P-256, the only curve of ES256");
            }
            return ec;
        } catch (GeneralSecurityException | ClassCastException e) {
            throw new IllegalArgumentException(where + "not an RSA or EC P-256 public key");
        }
    }

    private static String read(String flag, Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(flag + " " + file + ": cannot read it (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")");
        }
    }

    /** The accepted algorithms, for the start-up log: "HS256", "RS256", "HS256 and ES256"... */
    public String algorithms() {
        String key = publicKeyAlg == null ? null : publicKeyAlg.getName();
        return hs256 == null ? key : key == null ? "HS256" : "HS256 and " + key;
    }

    /** Whether a token has the shape of a JWS in compact form (three parts, two dots); says nothing of validity. */
    public static boolean looksLikeJwt(String token) {
        int first = token.indexOf('.');
        if (first <= 0) {
            return false;
        }
        int second = token.indexOf('.', first + 1);
        return second > first + 1 && token.indexOf('.', second + 1) < 0;
    }

    /**
     * The verified token, or empty if it is refused (for whatever reason: the caller answers 401/4401 alike).
     * Never blocks; the first check of an RS256/ES256 token costs a signature verification.
     *
     * @param tokenHash the token's SHA-256 ({@link Tokens#hash}), the key of what is remembered
     */
    public Optional<AppToken> verify(String token, String tokenHash) {
        Optional<AppToken> known = remembered(tokenHash);
        if (known.isPresent()) {
            return known;
        }
        long now = clock.getAsLong();
        if (token == null || token.length() > MAX_TOKEN_CHARS || !looksLikeJwt(token)) {
            return Optional.empty();
        }
        Optional<AppToken> checked = check(token, now);
        checked.ifPresent(t -> verified.put(tokenHash, t));
        return checked;
    }

    /** A token verified before and not expired, from memory (cheap: for event loops); else empty. */
    public Optional<AppToken> remembered(String tokenHash) {
        AppToken known = verified.getIfPresent(tokenHash);
        return known != null && known.expiresAt() > clock.getAsLong() ? Optional.of(known) : Optional.empty();
    }

    /** How many verified tokens are remembered, for tests. */
    long rememberedCount() {
        verified.cleanUp();
        return verified.estimatedSize();
    }

    private Optional<AppToken> check(String token, long now) {
        SignedJWT jwt;
        JWTClaimsSet claims;
        try {
            jwt = SignedJWT.parse(token);
            JWSAlgorithm alg = jwt.getHeader().getAlgorithm();
            JWSVerifier verifier = verifierFor(alg);
            if (verifier == null) {
                return refused("alg " + alg + " is not the configured one");
            }
            if (!jwt.verify(verifier)) {
                return refused("bad signature");
            }
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException | JOSEException | RuntimeException e) {
            return refused("not a JWS of JSON claims (" + e.getClass().getSimpleName() + ")");
        }
        String sub = claims.getSubject();
        Date exp = claims.getExpirationTime();
        if (sub == null || !APP_ID.matcher(sub).matches()) {
            return refused("sub missing or not 1 to 128 of A-Z a-z 0-9 _ . : -");
        }
        if (exp == null || exp.getTime() <= now) {
            return refused(exp == null ? "no exp" : "expired");
        }
        Date nbf = claims.getNotBeforeTime();
        Date iat = claims.getIssueTime();
        if ((nbf != null && nbf.getTime() > now + LEEWAY_MILLIS) || (iat != null && iat.getTime() > now + LEEWAY_MILLIS)) {
            return refused("nbf or iat more than 30 s in the future");
        }
        long issuedAt = iat != null ? iat.getTime() : nbf != null ? nbf.getTime() : NEVER_ISSUED;
        return Optional.of(new AppToken(sub, displayName(claims.getClaims()), issuedAt, exp.getTime()));
    }

    /** Why, for an operator wiring the app up (debug: a flood of bad tokens must not flood the log). */
    private static Optional<AppToken> refused(String why) {
        log.debug("JWT refused: {}", why);
        return Optional.empty();
    }

    private JWSVerifier verifierFor(JWSAlgorithm alg) {
        if (JWSAlgorithm.HS256.equals(alg)) {
            return hs256;
        }
        return alg != null && alg.equals(publicKeyAlg) ? publicKey : null;
    }

    private static String displayName(Map<String, Object> claims) {
        if (!(claims.get("name") instanceof String raw)) {
            return null;
        }
        String name = raw.strip();
        boolean usable = !name.isEmpty() && name.length() <= FieldRules.MAX_DISPLAY_NAME
                && Text.forbiddenInLabel(name) < 0 && Text.isWellFormed(name);
        return usable ? name : null;
    }
}
