package dev.presence.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.presence.client.api.Invitation;
import dev.presence.client.api.Member;
import dev.presence.client.api.Message;
import dev.presence.client.api.PresenceApi;
import dev.presence.client.api.User;
import dev.presence.client.api.UserStatus;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes the server's WebSocket messages (PROTOCOL.md) into the SDK's records: the one place that knows their
 * shapes, used by {@link PresenceClient} and {@link ThreadsState} and available to apps that register their own
 * {@link MessageHandler}s. Lenient like the rest of the SDK: a missing field reads as empty, 0 or false.
 */
public final class ServerMessages {

    static final long DEFAULT_INTERVAL_MS = 20_000;
    static final long DEFAULT_TIMEOUT_MS = 10_000;

    private ServerMessages() {
    }

    /** The message's {@code type}, or {@code ""}. */
    public static String type(JsonNode message) {
        return message.path("type").asText("");
    }

    /** A {@code welcome}; a heartbeat that is missing or not positive reads as the defaults (20 s + 10 s). */
    public static Welcome welcome(JsonNode message) {
        JsonNode heartbeat = message.path("heartbeat");
        long interval = heartbeat.path("interval_ms").asLong(DEFAULT_INTERVAL_MS);
        long timeout = heartbeat.path("timeout_ms").asLong(DEFAULT_TIMEOUT_MS);
        return new Welcome(message.path("session_id").asText(""), message.path("user_id").asText(""),
                Duration.ofMillis(interval > 0 ? interval : DEFAULT_INTERVAL_MS),
                Duration.ofMillis(timeout > 0 ? timeout : DEFAULT_TIMEOUT_MS), statuses(message.path("presence")));
    }

    /**
     * One status: a {@code user_status_changed}, an entry of a {@code welcome}'s {@code presence} or of a
     * {@code status_batch}'s {@code statuses}.
     */
    public static UserStatus status(JsonNode node) {
        return new UserStatus(node.path("user_id").asText(), node.path("is_online").asBoolean(),
                node.path("last_seen").asLong(), node.path("version").asLong());
    }

    /** An array of statuses. */
    public static List<UserStatus> statuses(JsonNode array) {
        List<UserStatus> result = new ArrayList<>();
        for (JsonNode node : array) {
            result.add(status(node));
        }
        return result;
    }

    /** The {@code timestamp} of a status change, Unix seconds; 0 if absent. */
    public static long timestamp(JsonNode node) {
        return node.path("timestamp").asLong(0);
    }

    /** The {@code message} of a {@code message_created}. */
    public static Message message(JsonNode message) {
        return PresenceApi.JSON.convertValue(message.path("message"), Message.class);
    }

    /** The {@code user} of a {@code user_profile_updated}. */
    public static User user(JsonNode message) {
        return PresenceApi.JSON.convertValue(message.path("user"), User.class);
    }

    /** The {@code invitation} of an {@code invitation_created}. */
    public static Invitation invitation(JsonNode message) {
        return PresenceApi.JSON.convertValue(message.path("invitation"), Invitation.class);
    }

    /** The new member ({@code user}) of an {@code invitation_accepted}. */
    public static Member member(JsonNode message) {
        return PresenceApi.JSON.convertValue(message.path("user"), Member.class);
    }

    /** A field of the message as text, or null if absent ({@code thread_id}, {@code user_id}, {@code invitation_id}). */
    public static String text(JsonNode message, String field) {
        JsonNode value = message.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }
}
