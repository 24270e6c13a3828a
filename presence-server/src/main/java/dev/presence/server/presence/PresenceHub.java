package dev.presence.server.presence;

import dev.presence.core.Clock;
import dev.presence.core.EndReason;
import dev.presence.core.PresenceEngine;
import dev.presence.core.Scheduler;
import dev.presence.core.UserStatus;
import dev.presence.server.protocol.CloseCodes;
import dev.presence.server.metrics.ServerMetrics;
import dev.presence.server.protocol.Frames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The one thread that owns the presence state: the {@link PresenceEngine}, the live sessions of each user and
 * the order of everything a session is sent. Event loops and workers hand it work and never wait for it.
 * Once started it never blocks (the state is loaded from the store once, before the server accepts
 * connections): the database sees only a batched write-behind of last seen and versions, on a worker. What the
 * write-behind has not saved yet is in the {@link StatusJournal}, written before anything can be delivered, so
 * a crash never brings back an older {@code last_seen} than a watcher was shown.
 *
 * <p>Because every frame to a session is queued from this thread, a session's {@code welcome} always comes
 * before any event sent to it.
 */
public final class PresenceHub implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PresenceHub.class);
    private static final long STATUS_FLUSH_MILLIS = 1000;

    private final ScheduledThreadPoolExecutor thread = newHubThread();
    private final Clock clock;
    private final StatusStore store;
    private final StatusJournal journal;
    private final Executor workers;
    private final ServerMetrics metrics;
    private final long heartbeatIntervalMs;
    private final long heartbeatTimeoutMs;
    private final SessionRegistry registry = new SessionRegistry();
    private final Fanout fanout = new Fanout(registry);
    private final Map<String, String> usernames = new HashMap<>();
    /** Statuses whose write failed, retried with the next batch. */
    private final List<UserStatus> unsaved = new ArrayList<>();
    /**
     * Tokens revoked lately (hash → when), so a connection whose token check raced a logout is refused when
     * it opens. Kept for longer than any token check can take.
     */
    private final Map<String, Long> revokedTokens = new HashMap<>();
    private static final long REVOKED_TOKEN_MEMORY_MILLIS = 5 * 60_000;
    private boolean closing;
    private final PresenceEngine engine;
    private final ScheduledFuture<?> statusFlush;

    private static ScheduledThreadPoolExecutor newHubThread() {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "presence-hub");
            t.setDaemon(true);
            return t;
        });
        // grace timers still pending at shutdown are settled by close(), not run into closed event loops
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        return executor;
    }

    /** Runs a task on the hub thread; a failing task is logged (the executor would swallow it) and the hub goes on. */
    private void run(Runnable task) {
        try {
            thread.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    log.error("Presence hub task failed", e);
                }
            });
        } catch (RejectedExecutionException e) {
            // shutting down: nothing more is delivered
        }
    }

    /**
     * @param store   read once here to load memberships and kept statuses; then written behind in batches
     * @param journal what an earlier run may have shown but not saved, replayed here over the store; then every
     *                status change, before it is delivered; the hub closes it
     * @param workers where blocking store calls run
     */
    public PresenceHub(StatusStore store, StatusJournal journal, Executor workers, ServerMetrics metrics,
                       long offlineGraceMs, long heartbeatIntervalMs, long heartbeatTimeoutMs) {
        this.clock = Clock.system();
        this.store = store;
        this.journal = journal;
        this.workers = workers;
        this.metrics = metrics;
        this.heartbeatIntervalMs = heartbeatIntervalMs;
        this.heartbeatTimeoutMs = heartbeatTimeoutMs;
        Scheduler scheduler = (delay, task) -> {
            ScheduledFuture<?> f = thread.schedule(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    log.error("Presence timer failed", e);
                }
            }, delay, TimeUnit.MILLISECONDS);
            return () -> f.cancel(false);
        };
        this.engine = new PresenceEngine(clock, scheduler, offlineGraceMs, this::deliver);
        call(e -> {
            store.forEachStatus(s -> e.restore(s.userId(), s.lastSeen(), s.version()));
            List<UserStatus> journaled = journal.found();
            for (UserStatus s : journaled) {
                // newer than the store where the write-behind lagged behind a crash
                e.restore(s.userId(), s.lastSeen(), s.version());
                UserStatus restored = e.tracker().status(s.userId());
                journal.record(restored); // offline now, before this run's first alive() could make it look online
                unsaved.add(restored);
            }
            if (!journaled.isEmpty()) {
                log.info("Restored the last seen of {} user(s) from the status journal", journaled.size());
            }
            e.tracker().onChange(journal::record);
            store.forEachMembership(e.audience()::join);
            return null;
        }).join();
        statusFlush = thread.scheduleWithFixedDelay(() -> {
            try {
                flushStatuses();
            } catch (RuntimeException e) {
                log.error("Could not flush statuses", e); // and the next run tries again
            }
        }, STATUS_FLUSH_MILLIS, STATUS_FLUSH_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** A session authenticated: register it, send its {@code welcome}, tell co-members if its user came online. */
    public void open(LiveSession session, String username) {
        run(() -> {
            if (closing) {
                session.close(CloseCodes.RESTARTING, "server restarting");
                return;
            }
            if (revokedTokens.containsKey(session.tokenHash())) {
                // logged out while this connection's token was being checked
                session.close(CloseCodes.UNAUTHORIZED, "token revoked");
                return;
            }
            usernames.put(session.userId(), username);
            registry.add(session);
            boolean wasOnline = engine.tracker().isOnline(session.userId());
            // the user's own flip goes to co-members only, so the welcome is still this session's first frame
            List<UserStatus> snapshot = engine.sessionStarted(session.sessionId(), session.userId());
            fanout.toSession(session, Frames.welcome(session.sessionId(), session.userId(), heartbeatIntervalMs,
                    heartbeatTimeoutMs, snapshot));
            metrics.sessions(registry.size());
            log.info("{} connected (sessions: {}{})", username, registry.sessionsOf(session.userId()).size(),
                    wasOnline ? "" : ", now online");
        });
    }

    /**
     * A session ended; with {@link EndReason#LOST} its user's offline flip waits for the grace.
     *
     * @param lastHeardMillis when anything last arrived on the session (epoch ms, this hub's clock): the
     *                        user's last seen if this ends their presence, whenever the end was noticed
     */
    public void end(LiveSession session, EndReason reason, long lastHeardMillis) {
        run(() -> {
            int remaining = registry.remove(session);
            if (remaining < 0) {
                return;
            }
            engine.sessionEnded(session.sessionId(), reason, lastHeardMillis);
            metrics.sessions(registry.size());
            log.info("{} disconnected (remaining: {}, {})", name(session.userId()), remaining,
                    reason.name().toLowerCase());
        });
    }

    /** A user joined a thread: the new pairs see each other's status at once. */
    public void joined(String threadId, String userId) {
        run(() -> engine.joined(threadId, userId));
    }

    /**
     * A user accepted an invitation: the members (the new one's other devices included) are told who joined,
     * then each new pair is shown the other's status.
     *
     * @param frame the {@code invitation_accepted} frame, given the joiner's current status
     */
    public void accepted(String threadId, String userId, Function<UserStatus, byte[]> frame) {
        run(() -> {
            List<String> members = new ArrayList<>(engine.audience().members(threadId));
            members.add(userId);
            fanout.toUsers(members, frame.apply(engine.tracker().status(userId)));
            engine.joined(threadId, userId);
        });
    }

    /**
     * A user left a thread: from now on status flows between the leaver and a remaining member only if they
     * still share another thread. The remaining members, and the leaver's own sessions (their other devices
     * drop the thread), are told who left with {@code thread_member_left}.
     */
    public void left(String threadId, String userId) {
        run(() -> {
            engine.left(threadId, userId);
            List<String> told = new ArrayList<>(engine.audience().members(threadId));
            told.add(userId);
            fanout.toUsers(told, Frames.threadMemberLeft(threadId, userId));
        });
    }

    /** Sends an event to every live session of the members of a thread (as the hub knows them now). */
    public void toThread(String threadId, byte[] json) {
        run(() -> fanout.toUsers(engine.audience().members(threadId), json));
    }

    /** Sends an event to every live session of these users. */
    public void toUsers(Collection<String> userIds, byte[] json) {
        List<String> copy = List.copyOf(userIds);
        run(() -> fanout.toUsers(copy, json));
    }

    /** Sends an event to a user and to everyone who shares a thread with them. */
    public void toUserAndCoMembers(String userId, byte[] json) {
        run(() -> {
            List<String> audience = new ArrayList<>(engine.audience().coMembers(userId));
            audience.add(userId);
            fanout.toUsers(audience, json);
        });
    }

    /** Closes every session opened with that token (a logout): 4401, immediate offline. */
    public void closeSessionsOfToken(String tokenHash) {
        run(() -> {
            long now = clock.millis();
            revokedTokens.values().removeIf(at -> now - at > REVOKED_TOKEN_MEMORY_MILLIS);
            revokedTokens.put(tokenHash, now);
            registry.forEach(s -> {
                if (s.tokenHash().equals(tokenHash)) {
                    s.close(CloseCodes.UNAUTHORIZED, "token revoked");
                }
            });
        });
    }

    /**
     * Closes every session of a user with 4401 ("log out everywhere"), and remembers the revoked tokens, so a
     * connection whose token check raced the revocation is refused when it opens.
     */
    public void closeSessionsOfUser(String userId, Collection<String> revokedTokenHashes) {
        List<String> hashes = List.copyOf(revokedTokenHashes);
        run(() -> {
            long now = clock.millis();
            revokedTokens.values().removeIf(at -> now - at > REVOKED_TOKEN_MEMORY_MILLIS);
            hashes.forEach(hash -> revokedTokens.put(hash, now));
            for (LiveSession session : List.copyOf(registry.sessionsOf(userId))) {
                session.close(CloseCodes.UNAUTHORIZED, "logged out everywhere");
            }
        });
    }

    /** Asks the presence state a question on its own thread; the future completes there. */
    public <T> CompletableFuture<T> call(Function<PresenceEngine, T> question) {
        return CompletableFuture.supplyAsync(() -> question.apply(engine), thread);
    }

    /** Closes every session with {@code code} (1012 on shutdown); completes when all are closed. */
    public CompletableFuture<Void> closeAll(int code, String reason) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        run(() -> {
            closing = true; // sessions still authenticating are turned away by open()
            List<LiveSession> sessions = new ArrayList<>(registry.size());
            registry.forEach(sessions::add);
            AtomicInteger open = new AtomicInteger(sessions.size());
            if (sessions.isEmpty()) {
                done.complete(null);
            }
            for (LiveSession session : sessions) {
                session.close(code, reason);
                session.closeFuture().addListener(f -> {
                    if (open.decrementAndGet() == 0) {
                        done.complete(null);
                    }
                });
            }
        });
        return done;
    }

    private void deliver(Collection<String> recipients, UserStatus status, boolean flip) {
        Fanout.Reach reach = recipients.isEmpty() ? new Fanout.Reach(0, 0)
                : fanout.toUsers(recipients, Frames.statusChanged(status, clock.millis()));
        metrics.deliveries(reach.sessions());
        if (flip) {
            // every flip comes here, heard or not: the gauge is read from the state, never summed from flips
            metrics.transition(status.online());
            metrics.onlineUsers(engine.onlineUserCount());
            log.info("Broadcasted user {} went {} to {}/{} online user(s)", name(status.userId()),
                    status.online() ? "online" : "offline", reach.users(), recipients.size());
        }
    }

    private String name(String userId) {
        return usernames.getOrDefault(userId, userId);
    }

    private void flushStatuses() {
        journal.alive(clock.millis());
        List<UserStatus> changed = engine.tracker().drainChanged();
        if (!unsaved.isEmpty()) {
            changed.addAll(unsaved); // the store keeps the greatest of each, so order does not matter
            unsaved.clear();
        }
        if (!changed.isEmpty()) {
            try {
                workers.execute(() -> {
                    if (saveStatuses(changed)) {
                        run(() -> journal.saved(changed));
                    } else {
                        run(() -> unsaved.addAll(changed));
                    }
                });
            } catch (RejectedExecutionException e) {
                unsaved.addAll(changed);
            }
        }
    }

    private boolean saveStatuses(List<UserStatus> changed) {
        try {
            store.saveStatuses(changed);
            return true;
        } catch (RuntimeException e) {
            log.warn("Could not save last seen of {} user(s); retrying with the next batch", changed.size(), e);
            return false;
        }
    }

    /** Stops the hub after writing the last statuses; sessions should be closed first. */
    @Override
    public synchronized void close() {
        if (thread.isShutdown()) {
            return;
        }
        statusFlush.cancel(false);
        try {
            List<UserStatus> last = call(e -> {
                e.tracker().expireAllGraces(); // lost sessions go offline now, with a version that is saved
                List<UserStatus> all = e.tracker().drainChanged();
                all.addAll(unsaved);
                unsaved.clear();
                return all;
            }).get(5, TimeUnit.SECONDS);
            if (saveStatuses(last)) {
                run(() -> journal.saved(last));
            }
        } catch (Exception e) {
            log.warn("Could not write the last statuses at shutdown", e);
        }
        thread.shutdown();
        try {
            if (!thread.awaitTermination(5, TimeUnit.SECONDS)) {
                log.warn("The presence thread did not stop within 5 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // whatever was not saved stays in the journal for the next start
        journal.close();
    }
}
