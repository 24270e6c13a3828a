package dev.presence.client.transport;

/** The server answered the upgrade request with an HTTP status instead of switching protocols. */
public class HandshakeRejectedException extends RuntimeException {
    private final int status;

    public HandshakeRejectedException(int status, Throwable cause) {
        super("WebSocket upgrade rejected with HTTP " + status, cause);
        this.status = status;
    }

    /** The HTTP status of the answer, for example 401. */
    public int status() {
        return status;
    }
}
