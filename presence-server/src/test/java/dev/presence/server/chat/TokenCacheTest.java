package dev.presence.server.chat;

import dev.presence.server.gateway.Authenticator.Identity;
import org.junit.jupiter.api.Test;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class TokenCacheTest {

    private final TokenCache cache = new TokenCache(3);
    private final Identity ann = new Identity("u1", "ann", "h1");

    @Test
    void aKnownTokenIsAnsweredFromMemory() {
        AtomicInteger lookups = new AtomicInteger();
        for (int i = 0; i < 3; i++) {
            assertThat(cache.identify("h1", () -> {
                lookups.incrementAndGet();
                return Optional.of(ann);
            })).contains(ann);
        }
        assertThat(lookups).hasValue(1);
    }

    @Test
    void aRevocationWinsOverALookupThatReadTheDatabaseJustBeforeIt() {
        Optional<Identity> raced = cache.identify("h1", () -> {
            cache.revoke("h1"); // the logout lands while this lookup is between the database and the cache
            return Optional.of(ann);
        });

        assertThat(raced).contains(ann); // this one connection is refused by the hub instead
        assertThat(cache.identify("h1", () -> Optional.of(ann))).isEmpty();
    }

    @Test
    void unknownTokensAreNotRememberedAndAFullCacheStartsOver() {
        assertThat(cache.identify("nope", Optional::empty)).isEmpty();
        for (int i = 0; i < 10; i++) {
            String hash = "h" + i;
            assertThat(cache.identify(hash, () -> Optional.of(new Identity("u", "x", hash)))).isPresent();
        }
        AtomicInteger lookups = new AtomicInteger();
        cache.identify("h0", () -> {
            lookups.incrementAndGet();
            return Optional.of(ann);
        });
        assertThat(lookups).hasValue(1); // h0 was dropped when the cache filled
    }
}
