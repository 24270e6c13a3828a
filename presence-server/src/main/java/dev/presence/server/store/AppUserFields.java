package dev.presence.server.store;

/**
 * An app's user as the app gives it: its id and, if it names them, a username and display name.
 *
 * @param id          the app's id of the user
 * @param username    null: keep the current one (the id for a new user)
 * @param displayName null: keep the current one (the username for a new user)
 */
public record AppUserFields(String id, String username, String displayName) {
}
