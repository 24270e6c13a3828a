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
 * written once per batch with their latest status. With webhooks on, the flips ride along: every one of them,
 * in order, saved into the webhook outbox in the same transaction as the statuses.
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
    /** Flips for the webhook outbox waiting for the next batch, in the order they happened. */
    private final List<UserStatus> pendingFlips = new ArrayList<>();
    private boolean inFlight;
    /** Told on the hub's thread after a batch with flips was saved; null when webhooks are off. */
    private Runnable flipsSaved;

    /** What one save writes: statuses, and the flips that ride with them into the webhook outbox. */
    record Batch(List<UserStatus> statuses, List<UserStatus> flips) {
        boolean isEmpty() {
            return statuses.isEmpty() && flips.isEmpty();
        }
    }

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

    /** Queues flips for the webhook outbox, saved with the next batch of statuses. */
    void addFlips(Collection<UserStatus> flips) {
        pendingFlips.addAll(flips);
    }

    /** Has {@code listener} told after every save that took flips (so the sender can look at once). */
    void onFlipsSaved(Runnable listener) {
        flipsSaved = listener;
    }

    /** Hands what is queued to a worker as one batch, unless a batch is still in flight. */
    void flush() {
        if (inFlight || (pending.isEmpty() && pendingFlips.isEmpty())) {
            return;
        }
        Batch batch = takeAll();
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
    Batch takeAll() {
        Batch batch = new Batch(new ArrayList<>(pending.values()), List.copyOf(pendingFlips));
        pending.clear();
        pendingFlips.clear();
        return batch;
    }

    /**
     * Saves a batch on the calling thread (at shutdown, once the hub has stopped changing statuses).
     *
     * @return whether the store took it; if not, it stays in the journal for the next start
     */
    boolean saveNow(Batch batch) {
        return batch.isEmpty() || save(batch);
    }

    /** Statuses waiting to be written. */
    int pending() {
        return pending.size();
    }

    private void done(Batch batch, boolean ok) {
        inFlight = false;
        if (ok) {
            saved.accept(batch.statuses());
            if (flipsSaved != null && !batch.flips().isEmpty()) {
                flipsSaved.run();
            }
        } else {
            batch.statuses().forEach(this::keepLatest); // with the next batch; newer statuses queued meanwhile win
            pendingFlips.addAll(0, batch.flips()); // before the flips that came meanwhile: they are newer
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

    private boolean save(Batch batch) {
        try {
            store.saveStatuses(batch.statuses(), batch.flips());
            return true;
        } catch (RuntimeException e) {
            log.warn("Could not save last seen of {} user(s) and {} flip(s); retrying with the next batch",
                    batch.statuses().size(), batch.flips().size(), e);
            return false;
        }
    }
}
