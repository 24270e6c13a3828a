package dev.presence.server.chat;

/** An invitation of one user by another to a thread. */
public record Invitation(String id, String threadId, String threadTitle, String fromUserId, String toUserId) {
}
