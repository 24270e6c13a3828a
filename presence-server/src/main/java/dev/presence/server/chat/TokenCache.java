package dev.presence.server.chat;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.presence.server.domain.Identity;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Which user a token hash belongs to, remembered so a reconnect storm does not become a storm of database
 * queries, and when each token was last used, so it expires {@code ttl} after that (sliding).
 *
 * <ul>
 *   <li>Bounded: a Caffeine cache with a maximum size (the least useful entries go one by one, never all at
 *       once) that also drops an entry unused for a whole ttl (it has expired by then anyway).</li>
 *   <li>Lazy: a use is written to the store at most once per {@code recordEvery} per token (a minute, or a
 *       tenth of the ttl if shorter), never once per request; so after a restart a token may expire up to
 *       that much early, never late.</li>
 *   <li>Revocations win: a lookup that read the store just before a revocation cannot put the token back
 *       (see {@link #revoke}).</li>
 * </ul>
 */
final class TokenCache {

    /** What the store knows of a token: its user, and when its use was last recorded (0: never). */
    record Stored(Identity identity, long lastUsedAt) {
    }

    /** Where tokens are kept. */
    interface Backing {

        /** The token from the store; blocks. */
        Optional<Stored> load(String tokenHash);

        /** Records a use; must not block (callers include event loops): hand the write to a worker. */
        void recordUse(String tokenHash, long usedAt);

        /** The token has expired: delete it; must not block. */
        void forget(String tokenHash);
    }

    private static final class Entry {
        final Identity identity;
        volatile long lastUsed;
        volatile long lastRecorded;

        Entry(Identity identity, long lastUsed, long lastRecorded) {
            this.identity = identity;
            this.lastUsed = lastUsed;
            this.lastRecorded = lastRecorded;
        }
    }

    private final Backing backing;
    private final long ttlMillis;
    private final long recordEveryMillis;
    private final LongSupplier clock;
    private final Cache<String, Entry> byHash;
    /** Counts revocations, so a lookup can tell whether one happened while it read the store. */
    private final AtomicLong revocations = new AtomicLong();

    /**
     * @param clock wall-clock milliseconds (uses are kept in the store, across restarts)
     */
    TokenCache(Backing backing, long maxEntries, Duration ttl, LongSupplier clock) {
        this.backing = backing;
        this.ttlMillis = ttl.toMillis();
        this.recordEveryMillis = Math.min(Duration.ofMinutes(1).toMillis(), ttlMillis / 10);
        this.clock = clock;
        this.byHash = Caffeine.newBuilder()
                .maximumSize(maxEntries)
                .expireAfterAccess(ttlMillis, TimeUnit.MILLISECONDS)
                .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.getAsLong()))
                .executor(Runnable::run) // evict on the calling thread: cheap, never blocks, no extra pool
                .build();
    }

    /**
     * From memory only, never blocking (for event loops): the identity of a remembered, unexpired token, its
     * use noted. Empty if memory cannot tell: ask {@link #identify}.
     */
    Optional<Identity> remembered(String tokenHash) {
        Entry entry = byHash.getIfPresent(tokenHash);
        if (entry == null || !use(tokenHash, entry)) {
            return Optional.empty();
        }
        return Optional.of(entry.identity);
    }

    /** The identity of a token, from memory or else from the store (which blocks); empty if unknown or expired. */
    Optional<Identity> identify(String tokenHash) {
        Entry known = byHash.getIfPresent(tokenHash);
        if (known != null) {
            return use(tokenHash, known) ? Optional.of(known.identity) : Optional.empty();
        }
        long revocationsBefore = revocations.get();
        Optional<Stored> stored = backing.load(tokenHash);
        if (stored.isEmpty()) {
            return Optional.empty();
        }
        long now = clock.getAsLong();
        long recorded = stored.get().lastUsedAt();
        if (recorded != 0 && now - recorded >= ttlMillis) {
            backing.forget(tokenHash);
            return Optional.empty();
        }
        Entry fresh = new Entry(stored.get().identity(), now, recorded);
        // atomic with revoke()'s invalidate of the same key: either that removes this entry afterwards, or
        // this sees the count it raised first and keeps nothing
        byHash.asMap().compute(tokenHash, (hash, existing) -> existing != null ? existing
                : revocations.get() == revocationsBefore ? fresh : null);
        recordIfDue(tokenHash, fresh, now);
        return Optional.of(fresh.identity);
    }

    /**
     * The token no longer works. Call after its deletion from the store is committed: a lookup that read the
     * store before that then finds the revocation count changed and keeps nothing.
     */
    void revoke(String tokenHash) {
        revocations.incrementAndGet();
        byHash.invalidate(tokenHash);
    }

    /** Notes a use now; false (and the token is forgotten) if it had expired. */
    private boolean use(String tokenHash, Entry entry) {
        long now = clock.getAsLong();
        if (now - entry.lastUsed >= ttlMillis) {
            byHash.asMap().remove(tokenHash, entry);
            backing.forget(tokenHash);
            return false;
        }
        if (now > entry.lastUsed) {
            entry.lastUsed = now;
        }
        recordIfDue(tokenHash, entry, now);
        return true;
    }

    private void recordIfDue(String tokenHash, Entry entry, long now) {
        if (now - entry.lastRecorded >= recordEveryMillis) {
            entry.lastRecorded = now; // two racing uses may both record: harmless, and rare
            backing.recordUse(tokenHash, now);
        }
    }
}
