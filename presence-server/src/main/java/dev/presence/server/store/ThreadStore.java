package dev.presence.server.store;

import dev.presence.server.domain.ChatThread;
import dev.presence.server.domain.Invitation;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Where threads, their members and the invitations to them are kept. Every method blocks (JDBC): call it from a
 * worker thread, never from an event loop or the presence hub.
 *
 * <p>Unknown ids are not an error where there is nothing to do: finds are empty, lists are empty, checks and
 * changes answer false. Creating something that would point at an unknown user or thread throws a
 * {@link StoreException} and keeps nothing; the caller checks first (the service only ever passes the ids of
 * an authenticated user and of a thread it is a member of).
 */
public interface ThreadStore {

    /**
     * Creates a thread with a new id and its creator as the only member.
     *
     * @throws StoreException if the creator is unknown
     */
    ChatThread createThread(String title, String creatorId);

    /** A thread by id; empty if unknown. */
    Optional<ChatThread> findThread(String threadId);

    /** The threads a user is a member of, oldest first. */
    List<ChatThread> threadsOf(String userId);

    /** Member ids of a thread, in the order they joined. */
    List<String> members(String threadId);

    /** Whether a user is a member of a thread. */
    boolean isMember(String threadId, String userId);

    /**
     * Creates an invitation with a new id; it is pending until it is accepted or declined.
     *
     * @throws StoreException if the thread or either user is unknown
     */
    Invitation createInvitation(String threadId, String fromUserId, String toUserId);

    /** An invitation by id if it is pending (neither accepted nor declined); empty for an unknown id. */
    Optional<Invitation> findPendingInvitation(String invitationId);

    /** Pending invitations addressed to a user, oldest first. */
    List<Invitation> pendingInvitationsFor(String userId);

    /** Whether an invitation to that thread for that user is pending already. */
    boolean hasPendingInvitation(String threadId, String toUserId);

    /**
     * Accepts a pending invitation addressed to {@code userId}: marks it, and any other invitation of that user to
     * the same thread that is still pending, accepted and adds the membership (unless the user is a member
     * already), in one transaction.
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

    /** Removes a membership; false if there was none. The thread stays, even with no member left. */
    boolean leaveThread(String threadId, String userId);

    // --- integration mode: the app's threads ---------------------------------------------------------------

    /**
     * Creates a thread with the app's own id (and no creator), or retitles it, and replaces its members with
     * {@code memberIds}, in one transaction (rows inserted and deleted in batches). Concurrent calls for one thread
     * are serialized, so the answer names exactly what each changed.
     *
     * @throws StoreException if a member is unknown (nothing is changed)
     */
    ThreadWrite putThread(String threadId, String title, Collection<String> memberIds);

    /**
     * Adds these users to a thread, those who are members already left as they are, in one transaction.
     *
     * @return the users added, in the order given (duplicates once)
     * @throws StoreException if the thread or a user is unknown (nothing is changed)
     */
    List<String> addMembers(String threadId, Collection<String> userIds);
}
