package dev.presence.server.presence;

import dev.presence.core.Delivery;
import dev.presence.core.EndReason;
import dev.presence.core.PresenceEngine;
import dev.presence.core.StatusSink;
import dev.presence.core.UserStatus;
import dev.presence.server.metrics.ServerMetrics;
import dev.presence.server.protocol.CloseCodes;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

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
    static final long STATUS_FLUSH_MILLIS = 1000;
    private static final long DRAIN_SLICE_MILLIS = 50;

    /** Intervals the hub passes on to clients in their {@code welcome}. */
    public record Heartbeat(long intervalMillis, long timeoutMillis) {
    }

    private final HubLoop loop;
    private final StatusJournal journal;
    private final ServerMetrics metrics;
    private final Heartbeat heartbeat;
    private final SessionRegistry registry = new SessionRegistry();
    private final Fanout fanout = new Fanout(registry);
    private final RevokedTokens revokedTokens;
    private final StatusWriteBehind writeBehind;
    private final PresenceEngine engine;
    /** Where chat events go: this node's sessions, or every node's. */
    private final EventRoute route;
    /** Told of every revocation of a user's sessions, from any node; on the hub's thread. */
    private volatile Consumer<String> userRevoked = userId -> { };
    /** Set once closeAll began: sessions still authenticating are turned away. */
    private boolean closing;
    /** Set on the hub's thread once the last statuses were taken for saving: nothing changes after that. */
    private boolean stopped;
    private boolean closeCalled;
    /** Whether webhooks are on: then every flip goes to the write-behind for the outbox. */
    private final boolean keepFlips;
    /** Held here because the metrics registry holds a counter's source only weakly. */
    private final Supplier<Number> flipsMergedSource = () -> writeBehindMerged();

    /**
     * Loads the state (on the loop, and waits for it): the kept statuses from the store, then what the journal
     * holds over them, then the memberships.
     *
     * @param engines makes the engine, given where it sends deliveries no call caused
     * @param store   read once here to load memberships and kept statuses; then written behind in batches
     * @param journal what an earlier run may have shown but not saved, replayed here over the store; then every
     *                status change, before it is delivered; the hub closes it
     * @param workers where blocking store calls run
     * @param routes  given the route to this node's own sessions (its calls come on the hub's thread), returns
     *                the route chat events take: that one for a single node, one through every node in a cluster
     */
    public PresenceHub(HubLoop loop, Function<StatusSink, PresenceEngine> engines, StatusStore store,
                       StatusJournal journal, Executor workers, ServerMetrics metrics, Heartbeat heartbeat,
                       Function<EventRoute, EventRoute> routes) {
        this(loop, engines, store, journal, workers, metrics, heartbeat, routes, null);
    }

    /**
     * A hub that also writes every flip into the webhook outbox, with the statuses it belongs to.
     *
     * @param flipsSaved null: webhooks are off, and no flip is kept; else told (on the hub's thread) after
     *                   every save that added flips to the outbox. At start, every status in the journal (and
     *                   the offline flip its restore makes) is added again: whatever the outbox may lack after a
     *                   crash, the outbox's key makes a change already there count once
     */
    public PresenceHub(HubLoop loop, Function<StatusSink, PresenceEngine> engines, StatusStore store,
                       StatusJournal journal, Executor workers, ServerMetrics metrics, Heartbeat heartbeat,
                       Function<EventRoute, EventRoute> routes, Runnable flipsSaved) {
        this.loop = loop;
        this.keepFlips = flipsSaved != null;
        this.journal = journal;
        this.metrics = metrics;
        this.heartbeat = heartbeat;
        this.revokedTokens = new RevokedTokens(loop.clock());
        this.writeBehind = new StatusWriteBehind(store, workers, loop.executor(), batch -> {
            if (!stopped) {
                journal.saved(batch);
            }
        });
        if (keepFlips) {
            writeBehind.onFlipsSaved(flipsSaved);
            metrics.counter("presence_webhook_flips_merged_total", "Flips merged into a later flip of the same"
                    + " user while the database could not take them (the user's latest state is always sent)",
                    flipsMergedSource);
        }
        this.route = routes.apply(localRoute());
        this.engine = engines.apply(delivery -> {
            if (!stopped) {
                deliver(delivery);
            }
        });
        onLoop(() -> {
            load(store);
            return null;
        }).join();
        loop.scheduler().schedule(STATUS_FLUSH_MILLIS, this::flushStatuses);
    }

    private void load(StatusStore store) {
        store.forEachStatus(s -> engine.restore(s.userId(), s.lastSeen(), s.version()));
        List<UserStatus> journaled = journal.found();
        List<UserStatus> restored = new ArrayList<>(journaled.size());
        for (UserStatus s : journaled) {
            // newer than the store where the write-behind lagged behind a crash
            engine.restore(s.userId(), s.lastSeen(), s.version());
            UserStatus now = engine.status(s.userId());
            journal.record(now); // offline now, before this run's first alive() could make it look online
            restored.add(now);
            if (keepFlips && !now.online() && now.version() > s.version()) {
                // the journal holds each user's latest status that may not be saved, so neither may its flip
                // be; it keeps no online bit, so the app is sent the state the restore leaves: offline, with a
                // version above any the crashed run handed out
                writeBehind.addFlips(List.of(now));
            }
        }
        writeBehind.add(restored);
        if (!journaled.isEmpty()) {
            log.info("Restored the last seen of {} user(s) from the status journal", journaled.size());
        }
        engine.onChange(status -> {
            if (!stopped) {
                journal.record(status);
            }
        });
        store.forEachMembership(engine::joined); // nobody is connected yet: nobody to tell
    }

    /** Chat events for this node's sessions; called on the hub's thread. */
    private EventRoute localRoute() {
        return new EventRoute() {
            @Override
            public void toUsers(Collection<String> userIds, byte[] event) {
                if (!stopped) {
                    fanout.toUsers(userIds, event);
                }
            }

            @Override
            public void toThread(String threadId, byte[] event) {
                if (!stopped) {
                    fanout.toUsers(engine.members(threadId), event);
                }
            }

            @Override
            public void revoke(SessionRevocation revocation) {
                if (!stopped) {
                    revokeHere(revocation);
                }
            }
        };
    }

    /** Runs a task on the hub's thread, unless the hub has stopped. */
    private void run(Runnable task) {
        loop.executor().execute(() -> {
            if (!stopped) {
                task.run();
            }
        });
    }

    /** Asks the hub's thread; the future completes there. */
    private <T> CompletableFuture<T> onLoop(Supplier<T> question) {
        return CompletableFuture.supplyAsync(question, loop.executor());
    }

    /** A session authenticated: register it, send its {@code welcome}, tell co-members if its user came online. */
    public void open(LiveSession session, String username) {
        run(() -> {
            if (closing) {
                session.close(CloseCodes.RESTARTING, "server restarting");
                return;
            }
            if (revokedTokens.isRevoked(session)) {
                // logged out or revoked while this connection's token was being checked
                session.close(CloseCodes.UNAUTHORIZED, "token revoked");
                return;
            }
            registry.add(session);
            PresenceEngine.Started started = engine.sessionStarted(session.sessionId(), session.userId());
            // the user's own flip goes to co-members only, so the welcome is still this session's first frame
            fanout.toSession(session, Frames.welcome(session.sessionId(), session.userId(), heartbeat.intervalMillis(),
                    heartbeat.timeoutMillis(), started.snapshot()));
            started.deliveries().forEach(this::deliver);
            metrics.sessions(registry.size());
            log.info("{} connected (sessions: {}{})", username, registry.sessionsOf(session.userId()).size(),
                    started.deliveries().isEmpty() ? "" : ", now online");
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
            engine.sessionEnded(session.sessionId(), reason, lastHeardMillis).forEach(this::deliver);
            metrics.sessions(registry.size());
            log.info("{} disconnected (remaining: {}, {})", session.username(), remaining,
                    reason.name().toLowerCase());
        });
    }

    /** A user joined a thread: the new pairs see each other's status at once. */
    public void joined(String threadId, String userId) {
        run(() -> engine.joined(threadId, userId).forEach(this::deliver));
    }

    /**
     * A user accepted an invitation: the members (the new one's other devices included) are told who joined,
     * then each new pair is shown the other's status.
     *
     * @param frame the {@code invitation_accepted} frame, given the joiner's current status
     */
    public void accepted(String threadId, String userId, Function<UserStatus, byte[]> frame) {
        run(() -> {
            List<String> members = new ArrayList<>(engine.members(threadId));
            members.add(userId);
            route.toUsers(members, frame.apply(engine.status(userId)));
            engine.joined(threadId, userId).forEach(this::deliver);
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
            List<String> told = new ArrayList<>(engine.members(threadId));
            told.add(userId);
            route.toUsers(told, Frames.threadMemberLeft(threadId, userId));
        });
    }

    /** Sends an event to every live session of the members of a thread (as the hub knows them now). */
    public void toThread(String threadId, byte[] json) {
        run(() -> route.toThread(threadId, json));
    }

    /**
     * Sends an app's event to every live session of a thread's members (as this hub knows them) or of these users
     * (exactly one of the two is given), in one visit to the hub's thread: the answer is how many of those users
     * were online then, from the same view the delivery used.
     */
    public CompletableFuture<Integer> publish(String threadId, Collection<String> userIds, byte[] json) {
        List<String> users = userIds == null ? null : List.copyOf(userIds);
        return onLoop(() -> {
            Collection<String> recipients = users != null ? users : engine.members(threadId);
            int online = 0;
            for (String userId : recipients) {
                online += engine.status(userId).online() ? 1 : 0;
            }
            if (users != null) {
                route.toUsers(users, json);
            } else {
                route.toThread(threadId, json);
            }
            return online;
        });
    }

    /** Sends an event to every live session of these users. */
    public void toUsers(Collection<String> userIds, byte[] json) {
        List<String> copy = List.copyOf(userIds);
        run(() -> route.toUsers(copy, json));
    }

    /** Sends an event to a user and to everyone who shares a thread with them. */
    public void toUserAndCoMembers(String userId, byte[] json) {
        run(() -> {
            List<String> audience = new ArrayList<>(engine.coMembers(userId));
            audience.add(userId);
            route.toUsers(audience, json);
        });
    }

    /** The statuses of these users, whoever may see them (the caller has checked that). */
    public CompletableFuture<Map<String, UserStatus>> statuses(Collection<String> userIds) {
        List<String> ids = List.copyOf(userIds);
        return onLoop(() -> {
            Map<String, UserStatus> result = new HashMap<>();
            for (String id : ids) {
                result.put(id, engine.status(id));
            }
            return result;
        });
    }

    /** The statuses of those {@code userIds} who share a thread with {@code viewer}; the others are left out. */
    public CompletableFuture<List<UserStatus>> visibleStatuses(String viewer, Collection<String> userIds) {
        List<String> ids = List.copyOf(userIds);
        return onLoop(() -> engine.visibleStatuses(viewer, ids));
    }

    /** Closes every session opened with that token (a logout), on every node: 4401, immediate offline. */
    public void closeSessionsOfToken(String tokenHash) {
        run(() -> route.revoke(SessionRevocation.ofToken(tokenHash)));
    }

    /**
     * Closes with 4401, on every node, every session of a user opened with a login token ("log out everywhere")
     * and those opened with a JWT issued up to {@code issuedUpTo} ({@link Long#MIN_VALUE}: none), and remembers
     * the revocation, so a connection whose token check raced it is refused when it opens.
     *
     * @param revokedTokenHashes the user's login tokens just revoked
     */
    public void closeSessionsOfUser(String userId, long issuedUpTo, Collection<String> revokedTokenHashes,
                                    String reason) {
        SessionRevocation revocation = new SessionRevocation(userId, issuedUpTo, List.copyOf(revokedTokenHashes),
                reason);
        run(() -> route.revoke(revocation));
    }

    /**
     * Tells {@code listener} the id of every user whose sessions are revoked, on this node or another (so what a
     * node remembers of the user's account can be forgotten there too). It runs on the hub's thread: it must be
     * quick and never block.
     */
    public void onUserRevoked(Consumer<String> listener) {
        this.userRevoked = listener;
    }

    /** This node's part of a revocation (from this node or another); on the hub's thread. */
    private void revokeHere(SessionRevocation revocation) {
        revokedTokens.revoke(revocation);
        if (revocation.userId() != null) {
            try {
                userRevoked.accept(revocation.userId()); // before the close a client may react to
            } catch (RuntimeException e) {
                log.warn("A revocation listener failed", e);
            }
        }
        if (revocation.userId() == null) {
            registry.forEach(s -> {
                if (revocation.covers(s.userId(), s.tokenHash(), s.issuedAt())) {
                    s.close(CloseCodes.UNAUTHORIZED, revocation.reason());
                }
            });
            return;
        }
        for (LiveSession session : List.copyOf(registry.sessionsOf(revocation.userId()))) {
            if (revocation.covers(session.userId(), session.tokenHash(), session.issuedAt())) {
                session.close(CloseCodes.UNAUTHORIZED, revocation.reason());
            }
        }
    }

    /**
     * Closes every session with {@code code} (1012 on shutdown), spread evenly over {@code drainMillis} so that
     * their reconnects do not reach the other nodes all in one instant; completes when all are closed.
     */
    public CompletableFuture<Void> closeAll(int code, String reason, long drainMillis) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        run(() -> {
            closing = true; // sessions still authenticating are turned away by open()
            List<LiveSession> sessions = new ArrayList<>(registry.size());
            registry.forEach(sessions::add);
            if (sessions.isEmpty()) {
                done.complete(null);
                return;
            }
            AtomicInteger open = new AtomicInteger(sessions.size());
            int slices = (int) Math.max(1, Math.min(sessions.size(), drainMillis / DRAIN_SLICE_MILLIS));
            for (int slice = 0; slice < slices; slice++) {
                List<LiveSession> part = sessions.subList(slice * sessions.size() / slices,
                        (slice + 1) * sessions.size() / slices);
                Runnable closePart = () -> part.forEach(session -> {
                    session.close(code, reason);
                    session.closeFuture().addListener(f -> {
                        if (open.decrementAndGet() == 0) {
                            done.complete(null);
                        }
                    });
                });
                if (slice == 0) {
                    closePart.run();
                } else {
                    loop.scheduler().schedule(slice * DRAIN_SLICE_MILLIS, closePart);
                }
            }
        });
        return done;
    }

    private void deliver(Delivery delivery) {
        UserStatus status = delivery.status();
        Collection<String> recipients = delivery.recipients();
        Fanout.Reach reach = recipients.isEmpty() ? new Fanout.Reach(0, 0)
                : fanout.statusToUsers(recipients, Frames.statusChanged(status, loop.clock().millis()));
        metrics.deliveries(reach.sessions());
        if (delivery.flip()) {
            if (keepFlips) {
                writeBehind.addFlips(List.of(status));
            }
            // every flip comes here, heard or not: the gauge is read from the state, never summed from flips
            metrics.transition(status.online());
            metrics.onlineUsers(engine.onlineUserCount());
            log.info("Broadcasted user {} went {} to {}/{} online user(s)", name(status.userId()),
                    status.online() ? "online" : "offline", reach.users(), recipients.size());
        }
    }

    private long writeBehindMerged() {
        return writeBehind.flipsMerged();
    }

    /** For the log: the username a live session of the user gives, else the user id (no map of names kept). */
    private String name(String userId) {
        List<LiveSession> sessions = registry.sessionsOf(userId);
        return sessions.isEmpty() ? userId : sessions.get(0).username();
    }

    private void flushStatuses() {
        if (stopped) {
            return;
        }
        try {
            journal.alive(loop.clock().millis());
            writeBehind.add(engine.drainChanged());
            writeBehind.flush();
        } catch (RuntimeException e) {
            log.error("Could not flush statuses", e); // and the next run tries again
        }
        loop.scheduler().schedule(STATUS_FLUSH_MILLIS, this::flushStatuses);
    }

    /**
     * Stops the hub after writing the last statuses; sessions should be closed first. Waits up to 5 s for the
     * hub's thread; saves on the calling thread, so the hub's thread never waits for the database.
     */
    @Override
    public synchronized void close() {
        if (closeCalled) {
            return;
        }
        closeCalled = true;
        try {
            StatusWriteBehind.Batch last = onLoop(() -> {
                // lost sessions go offline now, with a version that is saved
                engine.expireAllGraces().forEach(this::deliver);
                writeBehind.add(engine.drainChanged());
                stopped = true;
                return writeBehind.takeAll();
            }).get(5, TimeUnit.SECONDS);
            boolean saved = writeBehind.saveNow(last);
            onLoop(() -> {
                if (saved) {
                    journal.saved(last.statuses());
                }
                return null;
            }).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("Could not write the last statuses at shutdown", e);
        }
        // whatever was not saved stays in the journal for the next start
        journal.close();
    }
}
