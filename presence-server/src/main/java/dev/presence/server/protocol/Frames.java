package dev.presence.server.protocol;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.presence.core.UserStatus;
import dev.presence.server.chat.Invitation;
import dev.presence.server.chat.Message;
import dev.presence.server.chat.User;

import java.util.List;

/** The server-to-client frames of PROTOCOL.md, encoded once as UTF-8 JSON. */
public final class Frames {

    public static final byte[] PING = Json.bytes(Json.object().put("type", "ping"));

    private Frames() {
    }

    public static byte[] welcome(String sessionId, String userId, long intervalMs, long timeoutMs,
                                 List<UserStatus> presence) {
        ObjectNode frame = Json.object().put("type", "welcome").put("session_id", sessionId).put("user_id", userId);
        frame.putObject("heartbeat").put("interval_ms", intervalMs).put("timeout_ms", timeoutMs);
        ArrayNode list = frame.putArray("presence");
        for (UserStatus status : presence) {
            list.add(status(status));
        }
        return Json.bytes(frame);
    }

    /** A status as in the {@code welcome} snapshot and the presence query. */
    public static ObjectNode status(UserStatus status) {
        return Json.object().put("user_id", status.userId()).put("is_online", status.online())
                .put("last_seen", status.lastSeen()).put("version", status.version());
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
        frame.set("message", message(message));
        return Json.bytes(frame);
    }

    public static byte[] profileUpdated(User user) {
        ObjectNode frame = Json.object().put("type", "user_profile_updated");
        frame.set("user", user(user));
        return Json.bytes(frame);
    }

    public static byte[] invitationCreated(Invitation invitation) {
        ObjectNode frame = Json.object().put("type", "invitation_created");
        frame.set("invitation", invitation(invitation));
        return Json.bytes(frame);
    }

    public static byte[] invitationAccepted(String threadId, String invitationId, User user, UserStatus status) {
        ObjectNode frame = Json.object().put("type", "invitation_accepted").put("thread_id", threadId)
                .put("invitation_id", invitationId);
        frame.set("user", member(user, status));
        return Json.bytes(frame);
    }

    public static ObjectNode user(User user) {
        return Json.object().put("id", user.id()).put("username", user.username())
                .put("display_name", user.displayName());
    }

    public static ObjectNode member(User user, UserStatus status) {
        return user(user).put("is_online", status.online()).put("last_seen", status.lastSeen());
    }

    public static ObjectNode message(Message message) {
        return Json.object().put("id", message.id()).put("thread_id", message.threadId())
                .put("sender_id", message.senderId()).put("text", message.text())
                .put("created_at", message.createdAt());
    }

    public static ObjectNode invitation(Invitation invitation) {
        return Json.object().put("id", invitation.id()).put("thread_id", invitation.threadId())
                .put("thread_title", invitation.threadTitle()).put("from_user_id", invitation.fromUserId())
                .put("to_user_id", invitation.toUserId());
    }
}
