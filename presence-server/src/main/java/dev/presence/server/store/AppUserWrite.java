package dev.presence.server.store;

import dev.presence.server.domain.User;

/**
 * What writing an app's user did.
 *
 * @param created the user did not exist before
 * @param changed the username or display name is new (always true when created)
 */
public record AppUserWrite(User user, boolean created, boolean changed) {
}
