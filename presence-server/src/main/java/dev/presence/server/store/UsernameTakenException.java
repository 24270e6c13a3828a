package dev.presence.server.store;

/** The username asked for belongs to someone else. */
public final class UsernameTakenException extends RuntimeException {
    public UsernameTakenException(String username) {
        super("username '" + username + "' is taken");
    }
}
