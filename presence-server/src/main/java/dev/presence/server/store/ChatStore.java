package dev.presence.server.store;

import dev.presence.server.domain.ChatThread;
import dev.presence.server.presence.StatusStore;
import dev.presence.server.domain.Invitation;
import dev.presence.server.domain.Message;
import dev.presence.server.domain.User;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Where the chat domain is kept. Every method blocks (JDBC): call it from a worker thread, never from an
 * event loop or the presence hub. Nothing on the status path calls it, except the batched
 * {@link #saveStatuses write-behind}.
 */
public interface ChatStore extends StatusStore, AutoCloseable {

    /**
     * Creates a user.
     *
     * @throws UsernameTakenException if the username is in use
     */
    User createUser(String username, String passwordHash, String displayName);

    /** A user by id. */
    Optional<User> findUser(String userId);

    /** A user and their password hash, by username. */
    Optional<StoredCredentials> findCredentials(String username);

    /** Users by id; unknown ids are left out. */
    List<User> findUsers(Collection<String> userIds);

    /** Changes a display name. */
    void updateDisplayName(String userId, String displayName);

    /** Replaces a user's password hash, if it is still {@code expectedHash}; false if it was not. */
    boolean updatePasswordHash(String userId, String expectedHash, String newHash);

    /** Keeps a login token (its hash only), with no limit on the user's tokens. */
    default void saveToken(String tokenHash, String userId, long createdAt) {
        saveToken(tokenHash, userId, createdAt, Integer.MAX_VALUE);
    }

    /**
     * Keeps a login token (its hash only) and, in the same transaction, deletes the user's oldest tokens
     * beyond {@code maxPerUser} (never the new one). Concurrent calls for one user are serialized, so the
     * user never keeps more than {@code maxPerUser}.
     *
     * @return the hashes of the tokens deleted to make room
     */
    List<String> saveToken(String tokenHash, String userId, long createdAt, int maxPerUser);

    /** A token by its hash, with its user and when its use was last recorded. */
    Optional<StoredToken> findToken(String tokenHash);

    /** The user a token hash belongs to, if the token is still kept. */
    default Optional<String> userIdForToken(String tokenHash) {
        return findToken(tokenHash).map(StoredToken::userId);
    }

    /** Records that a token was used at {@code usedAt} (never moves the recorded time back). */
    void touchToken(String tokenHash, long usedAt);

    /** Revokes a token; false if it was not there. */
    boolean deleteToken(String tokenHash);

    /**
     * Revokes every token of a user, serialized with {@link #saveToken(String, String, long, int)} for that
     * user, so the answer names exactly the tokens that were deleted.
     *
     * @return the hashes of the deleted tokens
     */
    List<String> deleteTokensOf(String userId);

    /** Creates a thread with its creator as the only member. */
    ChatThread createThread(String title, String creatorId);

    /** A thread by id. */
    Optional<ChatThread> findThread(String threadId);

    /** The threads a user is a member of, oldest first. */
    List<ChatThread> threadsOf(String userId);

    /** Member ids of a thread. */
    List<String> members(String threadId);

    /** Whether a user is a member of a thread. */
    boolean isMember(String threadId, String userId);

    /** Creates an invitation; it is pending until it is accepted or declined. */
    Invitation createInvitation(String threadId, String fromUserId, String toUserId);

    /** An invitation by id if it is pending (neither accepted nor declined); empty for an unknown id. */
    Optional<Invitation> findPendingInvitation(String invitationId);

    /** Pending invitations addressed to a user, oldest first. */
    List<Invitation> pendingInvitationsFor(String userId);

    /** Whether an invitation to that thread for that user is pending already. */
    boolean hasPendingInvitation(String threadId, String toUserId);

    /**
     * Accepts a pending invitation addressed to {@code userId}: marks it accepted and adds the membership,
     * in one transaction.
     *
     * @return false if it was not pending for that user (unknown, someone else's, accepted or declined)
     */
    boolean acceptInvitation(String invitationId, String userId);

    /**
     * Declines a pending invitation addressed to {@code userId}: it stops being pending, and the user may be
     * invited to the thread again. Of a decline racing an accept of the same invitation, one wins.
     *
     * @return false if it was not pending for that user (unknown, someone else's, accepted or declined)
     */
    boolean declineInvitation(String invitationId, String userId);

    /** Removes a membership; false if there was none. */
    boolean leaveThread(String threadId, String userId);

    /** Appends a message. */
    Message addMessage(String threadId, String senderId, String text);

    /**
     * Messages of a thread, newest first.
     *
     * @param beforeMessageId only messages older than this one, or null for the newest
     */
    List<Message> messages(String threadId, int limit, String beforeMessageId);

    @Override
    void close();
}
