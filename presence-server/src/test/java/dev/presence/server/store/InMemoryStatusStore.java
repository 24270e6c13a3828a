package dev.presence.server.store;

import dev.presence.core.UserStatus;
import dev.presence.server.presence.StatusStore;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The hub's {@link StatusStore} in memory, for tests that should not need a database; it passes the same
 * contract as the JDBC store ({@code StatusStoreContract}).
 *
 * <p>Like the database, it keeps statuses of known users only: a user is known once {@link #addUser added} (or
 * added with a {@link #addMembership membership}), starts at last seen 0 and version 0, and a saved status of
 * an unknown user is dropped. Tests can look at what was saved ({@link #status}, {@link #savedBatches}) and make
 * saves fail ({@link #failNextSaves}) as a database that is down would. Safe to use from several threads (the
 * hub saves on a worker while the test reads).
 */
public final class InMemoryStatusStore implements StatusStore {

    private final Map<String, UserStatus> statuses = new LinkedHashMap<>();
    private final Set<List<String>> memberships = new LinkedHashSet<>();
    private final List<List<UserStatus>> savedBatches = new ArrayList<>();
    private final Map<String, UserStatus> flips = new LinkedHashMap<>();
    private int savesToFail;
    private int failedSaves;

    /** Makes a user known, with last seen 0 and version 0 unless it was known already. */
    public synchronized InMemoryStatusStore addUser(String userId) {
        statuses.putIfAbsent(userId, new UserStatus(userId, false, 0, 0));
        return this;
    }

    /** Adds a membership, and makes its user known. */
    public synchronized InMemoryStatusStore addMembership(String threadId, String userId) {
        addUser(userId);
        memberships.add(List.of(threadId, userId));
        return this;
    }

    /** Removes a membership; false if there was none. */
    public synchronized boolean removeMembership(String threadId, String userId) {
        return memberships.remove(List.of(threadId, userId));
    }

    /** The kept status of a user (never online: the store keeps last seen and version only); empty if unknown. */
    public synchronized Optional<UserStatus> status(String userId) {
        return Optional.ofNullable(statuses.get(userId));
    }

    /** Every batch saved so far, oldest first, as it was given (failed saves are left out). */
    public synchronized List<List<UserStatus>> savedBatches() {
        return List.copyOf(savedBatches);
    }

    /** Makes the next {@code count} calls of {@link #saveStatuses} throw a {@link StoreException}, saving nothing. */
    public synchronized InMemoryStatusStore failNextSaves(int count) {
        savesToFail = count;
        return this;
    }

    /** How many saves failed on purpose so far. */
    public synchronized int failedSaves() {
        return failedSaves;
    }

    @Override
    public void forEachMembership(BiConsumer<String, String> action) {
        List<List<String>> copy;
        synchronized (this) {
            copy = List.copyOf(memberships);
        }
        copy.forEach(m -> action.accept(m.get(0), m.get(1)));
    }

    @Override
    public void forEachStatus(Consumer<UserStatus> action) {
        List<UserStatus> copy;
        synchronized (this) {
            copy = List.copyOf(statuses.values());
        }
        copy.forEach(action);
    }

    /** The flips added for webhooks so far, each (user, version) once, in the order they came. */
    public synchronized List<UserStatus> flips() {
        return List.copyOf(flips.values());
    }

    @Override
    public synchronized void saveStatuses(Collection<UserStatus> statuses, List<UserStatus> flips) {
        if (savesToFail > 0) {
            savesToFail--;
            failedSaves++;
            throw new StoreException("database failed: save statuses (on purpose, in a test)",
                    new SQLException("connection refused", "08001"));
        }
        for (UserStatus flip : flips) {
            this.flips.putIfAbsent(flip.userId() + ":" + flip.version(), flip);
        }
        if (statuses.isEmpty()) {
            return;
        }
        List<UserStatus> batch = List.copyOf(statuses);
        for (UserStatus given : batch) {
            // each of the two values is the greater of kept and given, as the SQL's GREATEST does
            this.statuses.computeIfPresent(given.userId(), (id, kept) -> new UserStatus(id, false,
                    Math.max(kept.lastSeen(), given.lastSeen()), Math.max(kept.version(), given.version())));
        }
        savedBatches.add(batch);
    }
}
