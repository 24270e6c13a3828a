package dev.presence.client;

import com.fasterxml.jackson.databind.JsonNode;

/** Receives the server messages of one {@code type}, on the client's event loop: keep it quick. */
@FunctionalInterface
public interface MessageHandler {
    /** @param message the whole JSON message, {@code type} included */
    void onMessage(JsonNode message);
}
