package dev.presence.server.presence;

import dev.presence.core.UserStatus;

import java.util.Collection;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * What the presence hub needs from the database, and no more: memberships and kept statuses, read once at
 * start-up, then last seen and versions written behind in batches (on a worker, never the hub's thread).
 */
public interface StatusStore {

    /** Every membership (thread id, user id), to build the audience index at start-up. */
    void forEachMembership(BiConsumer<String, String> action);

    /** Every user's kept last seen and version, to restore the presence state at start-up. */
    void forEachStatus(Consumer<UserStatus> action);

    /**
     * Writes last seen and version of many users in one batch. A user's kept values never go back: the
     * greater of the kept and the given version wins, so batches may be written in any order.
     */
    void saveStatuses(Collection<UserStatus> statuses);
}
