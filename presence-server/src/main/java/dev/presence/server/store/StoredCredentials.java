package dev.presence.server.store;

import dev.presence.server.domain.User;

/** A user with their password hash, for login only. */
public record StoredCredentials(User user, String passwordHash) {
}
