package dev.presence.server.presence;

import dev.presence.core.UserStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/**
 * Writes last seen and versions to the store behind the presence state, in batches, on a worker: the hub's
 * thread never waits for the database. A batch that fails is tried again with the next one; at most one batch
 * is in flight, so a slow database gets one growing batch instead of a pile of small ones, and each user is
 * written once per batch with their latest status.
 *
 * <p>Touched only on the hub's thread; the worker's result comes back to it through {@code loop}.
 */
final class StatusWriteBehind {

    private static final Logger log = LoggerFactory.getLogger(StatusWriteBehind.class);

    private final StatusStore store;
    private final Executor workers;
    private final Executor loop;
    private final Consumer<List<UserStatus>> saved;
    /** Waiting for the next batch: the latest status of each user. */
    private final Map<String, UserStatus> pending = new HashMap<>();
    private boolean inFlight;

    /**
     * @param workers where the store is written
     * @param loop    the hub's thread, where results come back
     * @param saved   told on the hub's thread of every batch the store has taken
     */
    StatusWriteBehind(StatusStore store, Executor workers, Executor loop, Consumer<List<UserStatus>> saved) {
        this.store = store;
        this.workers = workers;
        this.loop = loop;
        this.saved = saved;
    }

    /** Queues changed statuses for the next batch. */
    void add(Collection<UserStatus> changed) {
        changed.forEach(this::keepLatest);
    }

    /** Hands what is queued to a worker as one batch, unless a batch is still in flight. */
    void flush() {
        if (inFlight || pending.isEmpty()) {
            return;
        }
        List<UserStatus> batch = new ArrayList<>(pending.values());
        pending.clear();
        inFlight = true;
        try {
            workers.execute(() -> {
                boolean ok = save(batch);
                loop.execute(() -> done(batch, ok));
            });
        } catch (RejectedExecutionException e) {
            done(batch, false);
        }
    }

    /** Takes everything queued, to be saved with {@link #saveNow}: at shutdown. */
    List<UserStatus> takeAll() {
        List<UserStatus> batch = new ArrayList<>(pending.values());
        pending.clear();
        return batch;
    }

    /**
     * Saves a batch on the calling thread (at shutdown, once the hub has stopped changing statuses).
     *
     * @return whether the store took it; if not, it stays in the journal for the next start
     */
    boolean saveNow(List<UserStatus> batch) {
        return batch.isEmpty() || save(batch);
    }

    /** Statuses waiting to be written. */
    int pending() {
        return pending.size();
    }

    private void done(List<UserStatus> batch, boolean ok) {
        inFlight = false;
        if (ok) {
            saved.accept(batch);
        } else {
            batch.forEach(this::keepLatest); // with the next batch; newer statuses queued meanwhile win
        }
    }

    private void keepLatest(UserStatus status) {
        pending.merge(status.userId(), status, StatusWriteBehind::later);
    }

    /** The later of two statuses of one user: the higher version, and of equal versions the later last seen. */
    private static UserStatus later(UserStatus a, UserStatus b) {
        if (a.version() != b.version()) {
            return a.version() > b.version() ? a : b;
        }
        return a.lastSeen() >= b.lastSeen() ? a : b;
    }

    private boolean save(List<UserStatus> batch) {
        try {
            store.saveStatuses(batch);
            return true;
        } catch (RuntimeException e) {
            log.warn("Could not save last seen of {} user(s); retrying with the next batch", batch.size(), e);
            return false;
        }
    }
}
