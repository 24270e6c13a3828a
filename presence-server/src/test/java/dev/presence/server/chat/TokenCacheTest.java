package dev.presence.server.chat;

import dev.presence.server.domain.Identity;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** The token cache on a clock the test moves: expiry, lazy recording, bounds and revocation races. */
class TokenCacheTest {

    private static final Duration TTL = Duration.ofMinutes(10);
    private static final long MINUTE = 60_000;

    private final AtomicLong now = new AtomicLong(1_000_000_000_000L);
    private final FakeStore store = new FakeStore();
    private final TokenCache cache = new TokenCache(store, 1_000, TTL, now::get);
    private final Identity ann = new Identity("u1", "ann", "h1");

    /** A store of token hashes that counts what the cache asks of it. */
    private static final class FakeStore implements TokenCache.Backing {
        final Map<String, TokenCache.Stored> tokens = new ConcurrentHashMap<>();
        final AtomicInteger loads = new AtomicInteger();
        final List<Long> recorded = new ArrayList<>();
        final List<String> forgotten = new ArrayList<>();
        Runnable duringLoad = () -> { };

        @Override
        public Optional<TokenCache.Stored> load(String tokenHash) {
            loads.incrementAndGet();
            Optional<TokenCache.Stored> found = Optional.ofNullable(tokens.get(tokenHash));
            duringLoad.run();
            return found;
        }

        @Override
        public synchronized void recordUse(String tokenHash, long usedAt) {
            recorded.add(usedAt);
            tokens.computeIfPresent(tokenHash, (h, t) -> new TokenCache.Stored(t.identity(), usedAt));
        }

        @Override
        public synchronized void forget(String tokenHash) {
            forgotten.add(tokenHash);
            tokens.remove(tokenHash);
        }
    }

    private void advance(long millis) {
        now.addAndGet(millis);
    }

    @Test
    void aKnownTokenIsAnsweredFromMemory() {
        store.tokens.put("h1", new TokenCache.Stored(ann, now.get()));

        assertThat(cache.remembered("h1")).isEmpty(); // never seen: memory cannot tell, and does not ask the store
        assertThat(store.loads).hasValue(0);
        for (int i = 0; i < 3; i++) {
            assertThat(cache.identify("h1")).contains(ann);
        }
        assertThat(cache.remembered("h1")).contains(ann);
        assertThat(store.loads).hasValue(1);
        assertThat(cache.identify("nope")).isEmpty();
    }

    @Test
    void aRevocationWinsOverALookupThatReadTheStoreJustBeforeIt() {
        store.tokens.put("h1", new TokenCache.Stored(ann, now.get()));
        store.duringLoad = () -> {
            // the logout lands while this lookup is between the store and the cache
            store.tokens.remove("h1");
            cache.revoke("h1");
        };

        assertThat(cache.identify("h1")).contains(ann); // this one call read it before the delete
        store.duringLoad = () -> { };
        assertThat(cache.remembered("h1")).isEmpty();
        assertThat(cache.identify("h1")).isEmpty();
    }

    @Test
    void aRevokedTokenIsForgottenAtOnce() {
        store.tokens.put("h1", new TokenCache.Stored(ann, now.get()));
        assertThat(cache.identify("h1")).contains(ann);

        store.tokens.remove("h1");
        cache.revoke("h1");

        assertThat(cache.remembered("h1")).isEmpty();
        assertThat(cache.identify("h1")).isEmpty();
    }

    @Test
    void useSlidesTheExpiryAndIdlenessEndsIt() {
        store.tokens.put("h1", new TokenCache.Stored(ann, now.get()));
        assertThat(cache.identify("h1")).contains(ann);

        for (int i = 0; i < 5; i++) { // 45 minutes in all, more than four times the ttl, never idle for 10
            advance(9 * MINUTE);
            assertThat(cache.remembered("h1")).contains(ann);
        }
        advance(TTL.toMillis());

        assertThat(cache.remembered("h1")).isEmpty();
        assertThat(cache.identify("h1")).isEmpty();
        assertThat(store.forgotten).contains("h1");
    }

    @Test
    void usesAreRecordedAtMostOnceAMinute() {
        store.tokens.put("h1", new TokenCache.Stored(ann, now.get()));
        long start = now.get();
        for (int second = 0; second < 300; second++) {
            assertThat(cache.identify("h1")).contains(ann);
            advance(1000);
        }

        assertThat(store.recorded).hasSizeBetween(4, 5)
                .allSatisfy(at -> assertThat(at).isBetween(start, now.get()));
    }

    @Test
    void aTokenWhoseRecordedUseIsOlderThanTheTtlIsExpiredWhenLoaded() {
        store.tokens.put("h1", new TokenCache.Stored(ann, now.get() - TTL.toMillis() - 1));

        assertThat(cache.identify("h1")).isEmpty();
        assertThat(store.forgotten).containsExactly("h1");
        assertThat(cache.remembered("h1")).isEmpty();
    }

    @Test
    void aTokenNeverRecordedCountsAsUsedNowAndIsRecorded() {
        store.tokens.put("h1", new TokenCache.Stored(ann, 0)); // made before uses were recorded

        assertThat(cache.identify("h1")).contains(ann);
        assertThat(store.recorded).containsExactly(now.get());
    }

    @Test
    void afterARestartTheRecordedUseCounts() {
        store.tokens.put("h1", new TokenCache.Stored(ann, now.get()));
        assertThat(cache.identify("h1")).contains(ann);
        advance(8 * MINUTE);
        assertThat(cache.identify("h1")).contains(ann); // recorded: more than a minute since the last record
        advance(8 * MINUTE);

        TokenCache afterRestart = new TokenCache(store, 1_000, TTL, now::get);

        assertThat(afterRestart.identify("h1")).contains(ann); // 16 min after login, 8 after the last use
    }

    @Test
    void aFullCacheDropsSomeEntriesNotAll() {
        TokenCache small = new TokenCache(store, 3, TTL, now::get);
        for (int i = 0; i < 10; i++) {
            String hash = "h" + i;
            store.tokens.put(hash, new TokenCache.Stored(new Identity("u" + i, "x", hash), now.get()));
            assertThat(small.identify(hash)).isPresent();
        }

        int answeredFromMemory = 0;
        for (int i = 0; i < 10; i++) {
            if (small.remembered("h" + i).isPresent()) {
                answeredFromMemory++;
            }
        }
        assertThat(answeredFromMemory).isBetween(1, 3);
    }

    @Test
    void aFullCacheStillServesTheTokensInUseWithoutTheStore() {
        TokenCache small = new TokenCache(store, 100, TTL, now::get);
        List<String> inUse = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            inUse.add(stored("busy" + i));
        }
        inUse.forEach(small::identify);

        // a storm of ten times as many other tokens as fit, each used once, while the twenty keep being used
        int uses = 0;
        for (int i = 0; i < 1_000; i++) {
            assertThat(small.identify(stored("once" + i))).isPresent();
            if (i % 10 == 0) {
                inUse.forEach(hash -> assertThat(small.identify(hash)).isPresent());
                uses += inUse.size();
            }
        }

        // the eviction policy is approximate, so a busy token may rarely be read again; a cache emptied
        // whenever full would have read all twenty again after every 80 or so others: some 250 reads
        int busyReadAgain = store.loads.get() - 20 - 1_000;
        assertThat(busyReadAgain).isLessThanOrEqualTo(uses / 100);
        inUse.forEach(hash -> assertThat(small.remembered(hash)).isPresent());
        assertThat(small.remembered("once999")).isPresent(); // the newest is kept too
    }

    private String stored(String hash) {
        store.tokens.put(hash, new TokenCache.Stored(new Identity("u-" + hash, "x", hash), now.get()));
        return hash;
    }
}
