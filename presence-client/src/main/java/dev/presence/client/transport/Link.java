package dev.presence.client.transport;

/** One open WebSocket. Methods never block; they may be called from any thread. */
public interface Link {
    /** Sends a text frame. */
    void sendText(String text);

    /** Starts a clean close (a close frame with {@code code}). */
    void close(int code, String reason);

    /** Drops the connection at once, without a close handshake (for a link presumed dead). */
    void abort();
}
