package dev.presence.server.protocol;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.presence.core.UserStatus;
import dev.presence.server.domain.Invitation;
import dev.presence.server.domain.Message;
import dev.presence.server.domain.User;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Set;

/**
 * The server-to-client WebSocket frames of PROTOCOL.md, each encoded once as UTF-8 JSON and sent as it is to
 * every recipient. HTTP bodies are the {@code http} layer's own.
 */
public final class Frames {

    public static final byte[] PING = Json.bytes(Json.object().put("type", "ping"));

    /**
     * Every frame type of the protocol, both ways (PROTOCOL.md), present and reserved: an app's own event
     * ({@code POST /api/server/events}) may not take one of them, so clients never mistake it for the server's.
     */
    public static final Set<String> PROTOCOL_TYPES = Set.of("welcome", "user_status_changed", "status_batch",
            "invitation_created", "invitation_accepted", "invitation_declined", "thread_member_left",
            "message_created", "user_profile_updated", "ping", "pong", "hello", "error");

    private Frames() {
    }

    /** Streamed rather than built as a tree: it is the largest frame, sent on every (re)connect. */
    public static byte[] welcome(String sessionId, String userId, long intervalMs, long timeoutMs,
                                 List<UserStatus> presence) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128 + presence.size() * 80);
        try (JsonGenerator json = Json.MAPPER.getFactory().createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("type", "welcome");
            json.writeStringField("session_id", sessionId);
            json.writeStringField("user_id", userId);
            json.writeObjectFieldStart("heartbeat");
            json.writeNumberField("interval_ms", intervalMs);
            json.writeNumberField("timeout_ms", timeoutMs);
            json.writeEndObject();
            json.writeArrayFieldStart("presence");
            for (UserStatus status : presence) {
                json.writeStartObject();
                json.writeStringField("user_id", status.userId());
                json.writeBooleanField("is_online", status.online());
                json.writeNumberField("last_seen", status.lastSeen());
                json.writeNumberField("version", status.version());
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        return out.toByteArray();
    }

    public static byte[] statusChanged(UserStatus status, long nowMillis) {
        return Json.bytes(Json.object().put("type", "user_status_changed").put("user_id", status.userId())
                .put("is_online", status.online()).put("timestamp", nowMillis / 1000)
                .put("last_seen", status.lastSeen()).put("version", status.version()));
    }

    public static byte[] error(String code, String message) {
        return Json.bytes(Json.object().put("type", "error").put("code", code).put("message", message));
    }

    public static byte[] messageCreated(Message message) {
        ObjectNode frame = Json.object().put("type", "message_created").put("thread_id", message.threadId());
        frame.set("message", ProtocolObjects.message(message));
        return Json.bytes(frame);
    }

    public static byte[] profileUpdated(User user) {
        ObjectNode frame = Json.object().put("type", "user_profile_updated");
        frame.set("user", ProtocolObjects.user(user));
        return Json.bytes(frame);
    }

    public static byte[] invitationCreated(Invitation invitation) {
        ObjectNode frame = Json.object().put("type", "invitation_created");
        frame.set("invitation", ProtocolObjects.invitation(invitation));
        return Json.bytes(frame);
    }

    /** To the inviter's sessions: the invitee declined. */
    public static byte[] invitationDeclined(Invitation invitation) {
        return Json.bytes(Json.object().put("type", "invitation_declined").put("invitation_id", invitation.id())
                .put("thread_id", invitation.threadId()));
    }

    /** To the remaining members (and the leaver's own sessions): someone left the thread. */
    public static byte[] threadMemberLeft(String threadId, String userId) {
        return Json.bytes(Json.object().put("type", "thread_member_left").put("thread_id", threadId)
                .put("user_id", userId));
    }

    public static byte[] invitationAccepted(String threadId, String invitationId, User user, UserStatus status) {
        ObjectNode frame = Json.object().put("type", "invitation_accepted").put("thread_id", threadId)
                .put("invitation_id", invitationId);
        frame.set("user", ProtocolObjects.member(user, status));
        return Json.bytes(frame);
    }
}
