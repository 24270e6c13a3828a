package dev.presence.server.store;

import dev.presence.server.domain.User;

/**
 * A user with what integration mode needs to know of them.
 *
 * @param appUser           made by the app (server API or first use of its JWT), not by a signup here
 * @param sessionsRevokedAt the app's JWTs issued at or before this time (epoch ms) are refused; 0 if never revoked
 */
public record StoredAccount(User user, boolean appUser, long sessionsRevokedAt) {
}
