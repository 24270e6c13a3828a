package dev.presence.server.store;

/**
 * A login token as the store keeps it (its hash is the key).
 *
 * @param lastUsedAt when its use was last recorded, in ms; 0 if never (a token made before uses were recorded)
 */
public record StoredToken(String userId, String username, long createdAt, long lastUsedAt) {
}
