package dev.presence.cluster;

import java.util.Collection;
import java.util.List;

/**
 * Chat events (messages, profile updates, invitations, {@code thread_member_left}) for the sessions of every
 * node: a node publishes an event once, and each node delivers it to its own sessions. The event is opaque
 * bytes (the frame as it goes on the wire). Also revocations: a logout or a revocation closes the sessions it
 * covers on every node, and each node refuses for a while the ones that open late with what it revoked.
 */
public interface ClusterBus extends AutoCloseable {

    /** Where a bus hands the events, for this node's sessions; called on the hub's thread. */
    interface Receiver {
        /** An event for every live session of these users on this node. */
        void toUsers(Collection<String> userIds, byte[] event);

        /** An event for every live session, on this node, of the members of the thread as this node knows them. */
        void toThread(String threadId, byte[] event);

        /** A revocation, as published with {@link ClusterBus#revoke}, for this node's sessions. */
        void revoke(String userId, long issuedUpTo, List<String> tokenHashes, String reason);
    }

    /** Sends {@code event} to the sessions of {@code userIds} on every node, this one included. */
    void toUsers(Collection<String> userIds, byte[] event);

    /** Sends {@code event} to the sessions of the thread's members on every node, this one included. */
    void toThread(String threadId, byte[] event);

    /**
     * Revokes sessions on every node, this one included: those opened with one of {@code tokenHashes}, and, when
     * {@code userId} is not null, that user's sessions issued up to {@code issuedUpTo} (epoch ms; what "issued"
     * means is the receiver's business).
     */
    void revoke(String userId, long issuedUpTo, Collection<String> tokenHashes, String reason);

    @Override
    void close();
}
