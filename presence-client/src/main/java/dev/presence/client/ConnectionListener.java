package dev.presence.client;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;

/**
 * Observes a {@link PresenceClient}. Every method has a no-op default: override what you need. Called on the
 * client's event loop, one call at a time, in order: keep them quick and hand long work to another thread.
 */
public abstract class ConnectionListener {

    /** The state changed from {@code from} to {@code to}. */
    public void onStateChanged(PresenceClient client, ConnectionState from, ConnectionState to) {
    }

    /** The server welcomed this connection (also after every reconnect: the welcome is the resync). */
    public void onConnected(PresenceClient client, Welcome welcome) {
    }

    /** Any message from the server, after the type's message handlers ran. */
    public void onMessage(PresenceClient client, String type, JsonNode message) {
    }

    /**
     * The link was lost: a close from the server, a network error, or no data within the heartbeat deadline.
     *
     * @param code the close code, or {@code -1} when there was no close frame
     * @param reason the close reason, or a description of the failure
     */
    public void onDisconnected(PresenceClient client, int code, String reason) {
    }

    /** A reconnect attempt is scheduled after {@code delay}; attempts count from 1 after each loss. */
    public void onReconnectScheduled(PresenceClient client, int attempt, Duration delay) {
    }

    /** A reconnect attempt starts now. */
    public void onReconnectAttempt(PresenceClient client, int attempt) {
    }

    /** A reconnect succeeded after {@code attempts} attempts. */
    public void onReconnected(PresenceClient client, int attempts) {
    }

    /**
     * The client reached {@link ConnectionState#CLOSED} and will not reconnect.
     *
     * @param code 4401 when the server refused the token, 1000 after {@link PresenceClient#close()}
     */
    public void onClosed(PresenceClient client, int code, String reason) {
    }
}
