package dev.presence.server.store;

/** The database failed; the message is for logs, never for clients. */
public final class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
