package dev.presence.cluster;

import java.util.Collection;

/**
 * Chat events (messages, profile updates, invitations, {@code thread_member_left}) for the sessions of every
 * node: a node publishes an event once, and each node delivers it to its own sessions. The event is opaque
 * bytes (the frame as it goes on the wire).
 */
public interface ClusterBus extends AutoCloseable {

    /** Where a bus hands the events, for this node's sessions; called on the hub's thread. */
    interface Receiver {
        /** An event for every live session of these users on this node. */
        void toUsers(Collection<String> userIds, byte[] event);

        /** An event for every live session, on this node, of the members of the thread as this node knows them. */
        void toThread(String threadId, byte[] event);
    }

    /** Sends {@code event} to the sessions of {@code userIds} on every node, this one included. */
    void toUsers(Collection<String> userIds, byte[] event);

    /** Sends {@code event} to the sessions of the thread's members on every node, this one included. */
    void toThread(String threadId, byte[] event);

    @Override
    void close();
}
