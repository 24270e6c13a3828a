package dev.presence.server.protocol;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.presence.core.UserStatus;
import dev.presence.server.domain.Invitation;
import dev.presence.server.domain.Message;
import dev.presence.server.domain.User;

/**
 * The objects PROTOCOL.md defines once and both sides carry: {@code user}, {@code member}, {@code status},
 * {@code message}, {@code invitation}. WebSocket frames ({@link Frames}) and HTTP bodies embed them, so a
 * user looks the same in both.
 */
public final class ProtocolObjects {

    private ProtocolObjects() {
    }

    public static ObjectNode user(User user) {
        return Json.object().put("id", user.id()).put("username", user.username())
                .put("display_name", user.displayName());
    }

    public static ObjectNode member(User user, UserStatus status) {
        return user(user).put("is_online", status.online()).put("last_seen", status.lastSeen());
    }

    /** A status as in the {@code welcome} snapshot and the presence query. */
    public static ObjectNode status(UserStatus status) {
        return Json.object().put("user_id", status.userId()).put("is_online", status.online())
                .put("last_seen", status.lastSeen()).put("version", status.version());
    }

    public static ObjectNode message(Message message) {
        return Json.object().put("id", message.id()).put("thread_id", message.threadId())
                .put("sender_id", message.senderId()).put("text", message.text())
                .put("created_at", message.createdAt());
    }

    public static ObjectNode invitation(Invitation invitation) {
        return Json.object().put("id", invitation.id()).put("thread_id", invitation.threadId())
                .put("thread_title", invitation.threadTitle()).put("from_user_id", invitation.fromUserId())
                .put("to_user_id", invitation.toUserId()).set("from_user", user(invitation.fromUser()));
    }
}
