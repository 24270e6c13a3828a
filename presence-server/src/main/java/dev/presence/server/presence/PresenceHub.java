package dev.presence.server.presence;

import dev.presence.core.Clock;
import dev.presence.core.EndReason;
import dev.presence.core.PresenceEngine;
import dev.presence.core.Scheduler;
import dev.presence.core.UserStatus;
import dev.presence.server.metrics.ServerMetrics;
import dev.presence.server.protocol.Frames;
import dev.presence.server.store.ChatStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The one thread that owns the presence state: the {@link PresenceEngine}, the live sessions of each user and
 * the order of everything a session is sent. Event loops and workers hand it work and never wait for it;
 * it never blocks: the database sees only a batched write-behind of last seen and versions, on a worker.
 *
 * <p>Because every frame to a session is queued from this thread, a session's {@code welcome} always comes
 * before any event sent to it.
 */
public final class PresenceHub implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PresenceHub.class);
    private static final long STATUS_FLUSH_MILLIS = 1000;

    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "presence-hub");
        t.setDaemon(true);
        return t;
    });
    private final Clock clock;
    private final ChatStore store;
    private final Executor workers;
    private final ServerMetrics metrics;
    private final long heartbeatIntervalMs;
    private final long heartbeatTimeoutMs;
    private final SessionRegistry registry = new SessionRegistry();
    private final Fanout fanout = new Fanout(registry);
    private final Map<String, String> usernames = new HashMap<>();
    /** Statuses whose write failed, retried with the next batch. */
    private final List<UserStatus> unsaved = new ArrayList<>();
    private final PresenceEngine engine;
    private final ScheduledFuture<?> statusFlush;

    /**
     * @param store   read once here to load memberships and kept statuses; then written behind in batches
     * @param workers where blocking store calls run
     */
    public PresenceHub(ChatStore store, Executor workers, ServerMetrics metrics, long offlineGraceMs,
                       long heartbeatIntervalMs, long heartbeatTimeoutMs) {
        this.clock = Clock.system();
        this.store = store;
        this.workers = workers;
        this.metrics = metrics;
        this.heartbeatIntervalMs = heartbeatIntervalMs;
        this.heartbeatTimeoutMs = heartbeatTimeoutMs;
        Scheduler scheduler = (delay, task) -> {
            ScheduledFuture<?> f = thread.schedule(task, delay, TimeUnit.MILLISECONDS);
            return () -> f.cancel(false);
        };
        this.engine = new PresenceEngine(clock, scheduler, offlineGraceMs, this::deliver);
        call(e -> {
            store.forEachStatus(s -> e.restore(s.userId(), s.lastSeen(), s.version()));
            store.forEachMembership(e.audience()::join);
            return null;
        }).join();
        statusFlush = thread.scheduleWithFixedDelay(this::flushStatuses, STATUS_FLUSH_MILLIS, STATUS_FLUSH_MILLIS,
                TimeUnit.MILLISECONDS);
    }

    /** A session authenticated: register it, send its {@code welcome}, tell co-members if its user came online. */
    public void open(LiveSession session, String username) {
        thread.execute(() -> {
            usernames.put(session.userId(), username);
            registry.add(session);
            boolean wasOnline = engine.tracker().isOnline(session.userId());
            List<UserStatus> snapshot = engine.snapshot(session.userId());
            fanout.toSession(session, Frames.welcome(session.sessionId(), session.userId(), heartbeatIntervalMs,
                    heartbeatTimeoutMs, snapshot));
            engine.sessionStarted(session.sessionId(), session.userId());
            metrics.sessions(registry.size());
            log.info("{} connected (sessions: {}{})", username, registry.sessionsOf(session.userId()).size(),
                    wasOnline ? "" : ", now online");
        });
    }

    /** A session ended; with {@link EndReason#LOST} its user's offline flip waits for the grace. */
    public void end(LiveSession session, EndReason reason) {
        thread.execute(() -> {
            int remaining = registry.remove(session);
            if (remaining < 0) {
                return;
            }
            engine.sessionEnded(session.sessionId(), reason);
            metrics.sessions(registry.size());
            log.info("{} disconnected (remaining: {}, {})", name(session.userId()), remaining,
                    reason.name().toLowerCase());
        });
    }

    /** A user joined a thread: the new pairs see each other's status at once. */
    public void joined(String threadId, String userId) {
        thread.execute(() -> engine.joined(threadId, userId));
    }

    /**
     * A user accepted an invitation: the members (the new one's other devices included) are told who joined,
     * then each new pair is shown the other's status.
     *
     * @param frame the {@code invitation_accepted} frame, given the joiner's current status
     */
    public void accepted(String threadId, String userId, Function<UserStatus, byte[]> frame) {
        thread.execute(() -> {
            List<String> members = new ArrayList<>(engine.audience().members(threadId));
            members.add(userId);
            fanout.toUsers(members, frame.apply(engine.tracker().status(userId)));
            engine.joined(threadId, userId);
        });
    }

    /** A user left a thread. */
    public void left(String threadId, String userId) {
        thread.execute(() -> engine.left(threadId, userId));
    }

    /** Sends an event to every live session of the members of a thread (as the hub knows them now). */
    public void toThread(String threadId, byte[] json) {
        thread.execute(() -> fanout.toUsers(engine.audience().members(threadId), json));
    }

    /** Sends an event to every live session of these users. */
    public void toUsers(Collection<String> userIds, byte[] json) {
        List<String> copy = List.copyOf(userIds);
        thread.execute(() -> fanout.toUsers(copy, json));
    }

    /** Sends an event to a user and to everyone who shares a thread with them. */
    public void toUserAndCoMembers(String userId, byte[] json) {
        thread.execute(() -> {
            List<String> audience = new ArrayList<>(engine.audience().coMembers(userId));
            audience.add(userId);
            fanout.toUsers(audience, json);
        });
    }

    /** Closes every session opened with that token (a logout): 4401, immediate offline. */
    public void closeSessionsOfToken(String tokenHash) {
        thread.execute(() -> registry.forEach(s -> {
            if (s.tokenHash().equals(tokenHash)) {
                s.close(4401, "token revoked");
            }
        }));
    }

    /** Asks the presence state a question on its own thread; the future completes there. */
    public <T> CompletableFuture<T> call(Function<PresenceEngine, T> question) {
        return CompletableFuture.supplyAsync(() -> question.apply(engine), thread);
    }

    /** Closes every session with {@code code} (1012 on shutdown); completes when all are closed. */
    public CompletableFuture<Void> closeAll(int code, String reason) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        thread.execute(() -> {
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
        byte[] frame = Frames.statusChanged(status, clock.millis());
        int sessions = fanout.toUsers(recipients, frame);
        metrics.deliveries(sessions);
        if (flip) {
            metrics.transition(status.online());
            metrics.onlineUsers(status.online() ? 1 : -1);
            log.info("Broadcasted user {} went {} to {}/{} online user(s)", name(status.userId()),
                    status.online() ? "online" : "offline", recipients.size(),
                    engine.audience().coMembers(status.userId()).size());
        }
    }

    private String name(String userId) {
        return usernames.getOrDefault(userId, userId);
    }

    private void flushStatuses() {
        List<UserStatus> changed = engine.tracker().drainChanged();
        if (!unsaved.isEmpty()) {
            changed.addAll(unsaved); // the store keeps the greatest of each, so order does not matter
            unsaved.clear();
        }
        if (!changed.isEmpty()) {
            try {
                workers.execute(() -> {
                    if (!saveStatuses(changed)) {
                        thread.execute(() -> unsaved.addAll(changed));
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
    public void close() {
        statusFlush.cancel(false);
        try {
            List<UserStatus> last = call(e -> {
                List<UserStatus> all = e.tracker().drainChanged();
                all.addAll(unsaved);
                return all;
            }).get(5, TimeUnit.SECONDS);
            saveStatuses(last);
        } catch (Exception e) {
            log.warn("Could not write the last statuses at shutdown", e);
        }
        thread.shutdown();
    }
}
