package dev.presence.server.chat;

import dev.presence.server.gateway.Authenticator.Identity;

import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Remembers which user a token hash belongs to, so a reconnect storm does not become a storm of database
 * queries. A revoked token is remembered as revoked, so a lookup that read the database just before the
 * revocation cannot put the token back. Bounded: when full it starts over, and the database answers again.
 */
final class TokenCache {

    private static final Identity REVOKED = new Identity("", "", "");

    private final int maxEntries;
    private final ConcurrentHashMap<String, Identity> byHash = new ConcurrentHashMap<>();

    TokenCache(int maxEntries) {
        this.maxEntries = maxEntries;
    }

    /** The identity of a token hash, from memory or else from {@code lookup} (which blocks). */
    Optional<Identity> identify(String tokenHash, Supplier<Optional<Identity>> lookup) {
        Identity known = byHash.get(tokenHash);
        if (known != null) {
            return known == REVOKED ? Optional.empty() : Optional.of(known);
        }
        Optional<Identity> found = lookup.get();
        found.ifPresent(identity -> {
            if (byHash.size() >= maxEntries) {
                byHash.clear();
            }
            byHash.putIfAbsent(tokenHash, identity); // a revocation that came meanwhile wins
        });
        return found;
    }

    /** The token no longer works; call before deleting it from the store. */
    void revoke(String tokenHash) {
        byHash.put(tokenHash, REVOKED);
    }
}
