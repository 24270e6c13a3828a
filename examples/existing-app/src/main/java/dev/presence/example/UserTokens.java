package dev.presence.example;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import java.time.Clock;
import java.time.Duration;
import java.util.Date;

/**
 * The tokens this app gives its users for presence: HS256 JWTs with {@code sub} (the app's user id, which is the
 * presence user id), {@code name}, {@code iat} and a short {@code exp}. Presence closes a socket whose token
 * expires (4401); the client then asks the app for a new one, as it would for any of the app's own APIs.
 */
final class UserTokens {

    private final MACSigner signer;
    private final Duration lifetime;
    private final Clock clock;

    UserTokens(byte[] secret, Duration lifetime, Clock clock) {
        try {
            this.signer = new MACSigner(secret);
        } catch (JOSEException e) {
            throw new IllegalArgumentException("the JWT secret must be at least 32 bytes", e);
        }
        this.lifetime = lifetime;
        this.clock = clock;
    }

    String tokenFor(Directory.AppUser user) {
        Date now = Date.from(clock.instant());
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .subject(user.id())
                .claim("name", user.displayName())
                .issueTime(now)
                .expirationTime(Date.from(clock.instant().plus(lifetime)))
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("could not sign a token", e);
        }
        return jwt.serialize();
    }
}
