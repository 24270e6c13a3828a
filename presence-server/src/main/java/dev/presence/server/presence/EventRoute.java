package dev.presence.server.presence;

import java.util.Collection;

/**
 * Where chat events (messages, profile updates, invitations, membership news) go: to this node's sessions
 * only, or, in a cluster, to the sessions on every node. The event is the frame as it goes on the wire. Revocations
 * take the same way, so a logout closes the user's sockets on every node.
 */
public interface EventRoute {

    /** Sends {@code event} to every live session of these users. */
    void toUsers(Collection<String> userIds, byte[] event);

    /** Sends {@code event} to every live session of the thread's members (as each node knows them). */
    void toThread(String threadId, byte[] event);

    /** Closes the sessions the revocation covers, and refuses them for a while when they open late. */
    void revoke(SessionRevocation revocation);
}
