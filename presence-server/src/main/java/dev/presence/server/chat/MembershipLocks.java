package dev.presence.server.chat;

/**
 * One lock per thread (striped): membership changes of one thread are written to the store and handed to the hub
 * under it, so the hub's audience index sees them in the order the database did (a leave overtaking a join would
 * leave a non-member hearing the thread). Shared by every service that changes membership (invitations, leaving,
 * the server API), so they order against each other too. Held by workers only, never by an event loop or the hub.
 */
public final class MembershipLocks {

    private final Object[] locks = new Object[64];

    public MembershipLocks() {
        for (int i = 0; i < locks.length; i++) {
            locks[i] = new Object();
        }
    }

    /** The lock of that thread's membership changes. */
    Object of(String threadId) {
        return locks[Math.floorMod(threadId.hashCode(), locks.length)];
    }
}
