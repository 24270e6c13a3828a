package dev.presence.client;

/** Where a {@link PresenceClient} stands. */
public enum ConnectionState {
    /** Not connected and not trying: before {@link PresenceClient#connect()}, or after a loss with auto-reconnect off. */
    DISCONNECTED,
    /** Opening the WebSocket and waiting for the server's {@code welcome}. */
    CONNECTING,
    /** Welcomed by the server: events flow and liveness is watched. */
    CONNECTED,
    /** The link was lost; a reconnect is scheduled after a backoff delay. */
    WAITING_TO_RECONNECT,
    /** Final: closed by the user, or the server refused the token (4401). Never reconnects. */
    CLOSED
}
