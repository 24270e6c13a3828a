package dev.presence.server.store;

/** The id belongs to a user who signed up here: the app may not take it over. */
public final class NotAnAppUserException extends RuntimeException {

    public NotAnAppUserException(String userId) {
        super("user '" + userId + "' signed up with a password and is not managed by the app");
    }
}
