package dev.presence.server.domain;

/**
 * An invitation of one user by another to a thread, with the inviter as a user so clients can show who
 * invited them without asking.
 */
public record Invitation(String id, String threadId, String threadTitle, User fromUser, String toUserId) {

    /** The inviter's id. */
    public String fromUserId() {
        return fromUser.id();
    }
}
