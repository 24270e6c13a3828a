package dev.presence.server.presence;

import dev.presence.core.UserStatus;

import java.util.Collection;
import java.util.List;
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
    default void saveStatuses(Collection<UserStatus> statuses) {
        saveStatuses(statuses, List.of());
    }

    /**
     * {@link #saveStatuses(Collection)}, and in the same transaction adds {@code flips} (online/offline
     * transitions, in the order they happened) to the webhook outbox: a flip is in the outbox exactly when the
     * statuses saved with it are, so whatever is not yet in either is still in the status journal. A flip that is
     * there already (the same user and version, added by another node or by a replay) is kept once.
     */
    void saveStatuses(Collection<UserStatus> statuses, List<UserStatus> flips);
}
