package dev.presence.client.api;

/** An API call did not get an answer: connection refused, timeout, interrupted, or a body that is not JSON. */
public class PresenceTransportException extends RuntimeException {
    public PresenceTransportException(String message, Throwable cause) {
        super(message, cause);
    }
}
