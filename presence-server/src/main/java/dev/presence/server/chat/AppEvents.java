package dev.presence.server.chat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.presence.server.presence.PresenceHub;
import dev.presence.server.protocol.Frames;
import dev.presence.server.protocol.Json;
import dev.presence.server.store.ThreadStore;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

import static dev.presence.server.chat.StoreFailures.translated;

/**
 * The app's own events ({@code POST /api/server/events}), delivered as they are to every live session of a
 * thread's members or of some users, through the hub (on every node in cluster mode). Runs on workers.
 */
public final class AppEvents {

    /** Users per call. */
    public static final int MAX_USERS = 1_000;
    /** An event's size as JSON: it is copied to every recipient's socket. */
    public static final int MAX_EVENT_BYTES = 64 * 1024;

    private final ThreadStore store;
    private final PresenceHub hub;
    private final Executor workers;

    /** @param workers where the store is asked (a thread's existence), never the caller's thread */
    public AppEvents(ThreadStore store, PresenceHub hub, Executor workers) {
        this.workers = workers;
        this.store = store;
        this.hub = hub;
    }

    /**
     * Delivers {@code event} to a thread's members or to some users: exactly one of {@code threadId} and
     * {@code userIds} is given.
     *
     * @return completes, on the hub's thread, with how many of the recipients were online when it was sent (the
     *         hub's statuses, cluster-wide in cluster mode): a hint, not a receipt, as a socket may be closing at
     *         that moment
     * @throws ChatException 400 for a bad target or event; 404 for an unknown thread
     */
    public CompletableFuture<Integer> publish(String threadId, List<String> userIds, JsonNode event) {
        if ((threadId == null) == (userIds == null)) {
            throw ChatException.invalid("give exactly one of thread_id and user_ids");
        }
        byte[] frame = frame(event);
        if (threadId != null) {
            String id = AppIds.require("thread_id", threadId);
            // the store is asked on a worker: this call may run on an event loop
            return CompletableFuture.runAsync(() -> translated(() -> {
                if (store.findThread(id).isEmpty()) {
                    throw ChatException.notFound("thread '" + id + "'");
                }
            }), workers).thenCompose(found -> hub.publish(id, null, frame));
        }
        return hub.publish(null, AppIds.requireAll("user_ids", userIds, MAX_USERS), frame);
    }

    private static byte[] frame(JsonNode event) {
        if (event == null || !event.isObject()) {
            throw ChatException.invalid("event must be a JSON object with a string 'type'");
        }
        JsonNode type = event.get("type");
        if (type == null || !type.isTextual() || type.asText().isEmpty()) {
            throw ChatException.invalid("event must have a non-empty string 'type'");
        }
        if (Frames.PROTOCOL_TYPES.contains(type.asText())) {
            throw ChatException.invalid("event type '" + type.asText() + "' is one of the server's own frame types;"
                    + " choose another name");
        }
        byte[] bytes = Json.bytes(event);
        if (bytes.length > MAX_EVENT_BYTES) {
            throw ChatException.invalid("event must be at most " + MAX_EVENT_BYTES / 1024 + " KiB as JSON");
        }
        return bytes;
    }
}
