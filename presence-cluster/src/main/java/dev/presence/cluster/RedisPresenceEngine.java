package dev.presence.cluster;

import dev.presence.core.Audience;
import dev.presence.core.Clock;
import dev.presence.core.Delivery;
import dev.presence.core.EndReason;
import dev.presence.core.PresenceEngine;
import dev.presence.core.Scheduler;
import dev.presence.core.StatusSink;
import dev.presence.core.UserStatus;
import dev.presence.core.Visibility;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.RedisClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The presence engine of a cluster: the state every node shares lives in Redis, and each node delivers to its
 * own sessions. See {@code presence-cluster/README.md} for the keys and the scripts.
 *
 * <p>Threads: the hub's thread (the {@code hub} executor) owns everything a call reads or changes, and is never
 * blocked on Redis: a session start or end is a Lua script sent asynchronously, and its outcome (a flip) comes
 * back through the outbox, which a reader thread hands to the hub, which sends it through the
 * {@link StatusSink}; so {@link #sessionStarted} never returns deliveries. Queries answer from this node's
 * replica of the statuses and its own {@link Audience}. Timer threads renew the node's lease and, on the node
 * holding the housekeeping lock, end due graces and reap the sessions of dead nodes ({@link Housekeeper}).
 *
 * <p>Lifecycle: construct (opens the connections: fails at once if Redis is unreachable), load memberships with {@link #joined} (before {@link #start()} they only
 * change this node's audience), {@link #start()} and wait for it before accepting connections, {@link #close()}
 * at shutdown.
 *
 * <p>Differences from the single-node engine: {@link #expireAllGraces()} does nothing (a stopping node leaves its
 * lost sessions to the shared grace, so a rolling restart is invisible); {@link #restore} only fills in users
 * Redis does not know; {@link #drainChanged()} returns every change this node learned, from any node.
 */
public final class RedisPresenceEngine implements PresenceEngine, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RedisPresenceEngine.class);

    private final ClusterSettings settings;
    private final Clock clock;
    private final Scheduler scheduler;
    private final long graceMillis;
    private final StatusSink later;
    private final Executor hub;
    private final RedisKeys keys;
    private final RedisScripts scripts = new RedisScripts();
    private final ClusterMetrics metrics = new ClusterMetrics();
    private final String runToken;
    private final StatefulRedisConnection<String, String> writes;
    private final StatefulRedisConnection<String, String> background;
    private final OutboxReader reader;
    private final ScheduledExecutorService timer;
    private final Housekeeper housekeeper;
    private final long leaseNanos;

    // owned by the hub's thread
    private final Audience audience = new Audience();
    private final StatusReplica replica = new StatusReplica();
    private final Map<String, Integer> localSessions = new HashMap<>();
    /** Who sees whom: the audience, this node's replica of statuses, and this node's sessions as listeners. */
    private final Visibility visibility = new Visibility(audience, replica::status, localSessions::containsKey);
    private final Map<String, String> userBySession = new HashMap<>();
    /** Ends not yet confirmed by Redis (it was away): sent again when it answers. */
    private final Map<String, End> unsentEnds = new LinkedHashMap<>();
    private boolean started;
    private boolean registering;
    private int generation;
    private boolean readyOnHub;
    private Runnable membershipsMissed = () -> { };

    // also read by other threads
    private volatile boolean closed;
    private volatile String incarnation;
    private volatile boolean loaded;
    private volatile boolean renewalPaused;
    /** A write failed while renewals went on (a blip): the next renewal reconciles. */
    private volatile boolean reconcileNeeded;
    private volatile long lastRenewalMillis;
    private volatile long lastRenewalNanos;
    /** When renewals started succeeding again after a failure (System.nanoTime), or -1 while they fail. */
    private volatile long healthySinceNanos = -1;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicReferenceArray<StreamId> written;
    private final CompletableFuture<Void> ready = new CompletableFuture<>();

    /** A session end as the hub reported it. */
    private record End(String sessionId, String userId, long graceDeadline, long lastHeard) {
    }

    /**
     * @param redis     the Redis client, made with {@link ClusterRedis#client}; the engine opens three connections
     *                  on it and closes them, not the client
     * @param hub       runs tasks on the hub's thread, the thread that calls this engine
     * @param clock     the hub's clock: last seen and grace deadlines (all nodes' clocks should agree, as NTP keeps
     *                  them; versions come from Redis TIME instead)
     * @param scheduler runs this node's grace timers on the hub's thread
     * @param later     told, on the hub's thread, of the flips no call returned: all of them in cluster mode
     */
    public RedisPresenceEngine(RedisClient redis, ClusterSettings settings, Executor hub, Clock clock,
                               Scheduler scheduler, long offlineGraceMillis, StatusSink later) {
        this.settings = settings;
        this.clock = clock;
        this.scheduler = scheduler;
        this.graceMillis = offlineGraceMillis;
        this.later = later;
        this.hub = hub;
        this.keys = new RedisKeys(settings.keyPrefix(), settings.partitions());
        this.leaseNanos = settings.lease().toNanos();
        byte[] token = new byte[6];
        new SecureRandom().nextBytes(token);
        this.runToken = HexFormat.of().formatHex(token);
        this.written = new AtomicReferenceArray<>(settings.partitions());
        for (int p = 0; p < settings.partitions(); p++) {
            written.set(p, StreamId.ZERO);
        }
        this.writes = ClusterRedis.connect(redis::connect);
        this.background = ClusterRedis.connect(redis::connect);
        this.reader = new OutboxReader(ClusterRedis.connect(redis::connect), keys, scripts, settings, metrics, new ReaderTarget());
        this.housekeeper = new Housekeeper(background, keys, scripts, settings, clock, offlineGraceMillis, metrics);
        this.timer = Executors.newScheduledThreadPool(2, runnable -> {
            Thread thread = new Thread(runnable, "presence-cluster-" + settings.nodeId());
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Joins the cluster: registers this node's incarnation and loads every partition's statuses. Call on the hub's
     * thread, after loading memberships; from here on membership changes are published to the other nodes.
     *
     * @return completes (on the hub's thread) when queries answer from the cluster's state; wait for it before
     *         accepting connections, but not on the hub's thread
     */
    public CompletableFuture<Void> start() {
        if (!started) {
            started = true;
            register();
            reader.start();
            long quarter = Math.max(1, settings.lease().toMillis() / 4);
            timer.scheduleWithFixedDelay(this::renew, quarter, quarter, TimeUnit.MILLISECONDS);
            long sweep = settings.housekeepingInterval().toMillis();
            timer.scheduleWithFixedDelay(this::housekeep, sweep, sweep, TimeUnit.MILLISECONDS);
        }
        return ready;
    }

    /** What this engine counts. */
    public ClusterMetrics metrics() {
        return metrics;
    }

    /** This node's current incarnation, or null while it registers. */
    public String incarnation() {
        return incarnation;
    }

    /** Redis TIME of this node's last lease renewal (its users' last seen if it dies now). */
    public long lastRenewalMillis() {
        return lastRenewalMillis;
    }

    /**
     * Whether this node renewed its lease within the lease: false while Redis has been unreachable longer
     * (a load balancer should then stop sending it new connections).
     */
    public boolean redisReachable() {
        long last = lastRenewalNanos;
        return last != 0 && System.nanoTime() - last < leaseNanos;
    }

    /**
     * Whether everything this node wrote is done and every outbox entry up to its writes was handed to the hub
     * (which may still have to run it). For tests and a drain at shutdown; call on the hub's thread.
     */
    public boolean quiescent() {
        if (!loaded || incarnation == null || registering || inFlight.get() != 0) {
            return false;
        }
        for (int p = 0; p < settings.partitions(); p++) {
            if (written.get(p).compareTo(reader.handedOver(p)) > 0) {
                return false;
            }
        }
        return true;
    }

    // ---- sessions

    @Override
    public Started sessionStarted(String sessionId, String userId) {
        if (userBySession.putIfAbsent(sessionId, userId) == null) {
            localSessions.merge(userId, 1, Integer::sum);
            long now = clock.millis();
            replica.seen(userId, now);
            attach(sessionId, userId, now, true);
        }
        return new Started(snapshot(userId), List.of());
    }

    @Override
    public List<Delivery> sessionEnded(String sessionId, EndReason reason, long lastHeardMillis) {
        String userId = userBySession.remove(sessionId);
        if (userId == null) {
            return List.of();
        }
        localSessions.computeIfPresent(userId, (u, n) -> n == 1 ? null : n - 1);
        long now = clock.millis();
        long heard = Math.min(lastHeardMillis, now);
        replica.seen(userId, heard);
        boolean graced = reason.graced() && graceMillis > 0;
        detach(new End(sessionId, userId, graced ? now + graceMillis : 0, heard));
        if (graced) {
            scheduler.schedule(graceMillis, () -> finalizeGrace(userId));
        }
        return List.of();
    }

    /**
     * Does nothing: in cluster mode a stopping node leaves the graces of its lost sessions to the cluster (any
     * node ends them when due), so users who reconnect to another node meanwhile never look offline.
     */
    @Override
    public List<Delivery> expireAllGraces() {
        return List.of();
    }

    private void attach(String sessionId, String userId, long now, boolean fresh) {
        String inc = incarnation;
        if (inc == null || registering) {
            return; // registered with every other live session once the incarnation is there
        }
        int p = keys.partition(userId);
        send(p, scripts.attach, keys.partitionKeys(p, keys.userSessions(p, userId), keys.nodeSessions(p, inc)),
                new String[] {userId, field(sessionId), inc, Long.toString(now), maxLength(), fresh ? "1" : "0",
                        keys.nodeSessionsPrefix(p)},
                (reply, failure) -> {
                    if (failure != null) {
                        writeFailed(failure);
                        showOnlineHere(userId);
                    } else {
                        stateReply(userId, reply);
                    }
                });
    }

    /**
     * Redis could not take a session start (it is away): the user has a live session on this node, so this
     * node's watchers are shown them online now instead of when Redis is back. Only online, never offline:
     * an end seen here says nothing of the user's sessions on other nodes. The version is one above the
     * replica's, below any Redis makes later ({@code max(v + 1, TIME)}, and TIME is far past a version made
     * before the outage), so Redis's own statuses replace it when it answers again.
     */
    private void showOnlineHere(String userId) {
        UserStatus known = replica.status(userId);
        if (known.online() || !localSessions.containsKey(userId)) {
            return;
        }
        UserStatus here = new UserStatus(userId, true, Math.max(known.lastSeen(), clock.millis()),
                known.version() + 1);
        learned(List.of(here), true);
    }

    private void detach(End end) {
        String inc = incarnation;
        if (inc == null || registering) {
            unsentEnds.put(end.sessionId(), end);
            return;
        }
        int p = keys.partition(end.userId());
        send(p, scripts.detach, keys.partitionKeys(p, keys.userSessions(p, end.userId()), keys.nodeSessions(p, inc)),
                new String[] {end.userId(), field(end.sessionId()), inc, Long.toString(clock.millis()), maxLength(),
                        Long.toString(end.graceDeadline()), Long.toString(end.lastHeard())},
                (reply, failure) -> {
                    if (failure != null) {
                        unsentEnds.put(end.sessionId(), end);
                        writeFailed(failure);
                    } else {
                        stateReply(end.userId(), reply);
                    }
                });
    }

    private void finalizeGrace(String userId) {
        if (incarnation == null || closed) {
            return; // the housekeeper's sweep ends it
        }
        int p = keys.partition(userId);
        send(p, scripts.finalizeGrace, keys.partitionKeys(p, keys.userSessions(p, userId)),
                new String[] {userId, Long.toString(clock.millis()), maxLength()},
                (reply, failure) -> {
                    if (failure != null) {
                        writeFailed(failure);
                    }
                });
    }

    /** A session's field in its user's sessions hash: qualified by this run, as session ids are per node. */
    private String field(String sessionId) {
        return runToken + "/" + sessionId;
    }

    private String maxLength() {
        return Long.toString(settings.outboxMaxLength());
    }

    /**
     * Sends a partition script from the hub's thread; {@code then} runs on the hub's thread. Tracks the outbox
     * position the reply reports, so {@link #quiescent()} can wait until the reader has passed it.
     */
    private void send(int p, RedisScripts.Script script, String[] scriptKeys, String[] args,
                      BiConsumer<List<Object>, Throwable> then) {
        if (closed) {
            return;
        }
        inFlight.incrementAndGet();
        long began = System.nanoTime();
        RedisAsyncCommands<String, String> redis = writes.async();
        RedisScripts.<List<Object>>run(redis, script, ScriptOutputType.MULTI, scriptKeys, args)
                .whenComplete((reply, failure) -> {
                    try {
                        metrics.roundTrip(System.nanoTime() - began);
                        if (reply != null && reply.size() >= 4) {
                            StreamId tail = StreamId.parse((String) reply.get(3));
                            written.accumulateAndGet(p, tail, StreamId::max);
                        }
                        hub.execute(() -> then.accept(reply, failure));
                    } finally {
                        inFlight.decrementAndGet();
                    }
                });
    }

    private void stateReply(String userId, List<Object> reply) {
        if (!"NOOP".equals(reply.get(0))) {
            replica.seen(userId, Long.parseLong((String) reply.get(2)));
        }
    }

    private void writeFailed(Throwable failure) {
        metrics.writeFailed();
        String message = String.valueOf(failure.getMessage());
        if (message.contains("FENCED")) {
            fenced();
        } else {
            reconcileNeeded = true;
            log.debug("Redis write failed ({}); sessions are registered again when Redis answers", message);
        }
    }

    // ---- incarnation, lease, reconciliation

    private void register() {
        if (registering || closed) {
            return;
        }
        registering = true;
        String inc = settings.nodeId() + "#" + runToken + "." + (++generation);
        scripts.preload(background.async()); // a Redis that restarted knows none of them
        RedisScripts.<String>run(background.async(), scripts.register, ScriptOutputType.VALUE,
                new String[] {keys.nodes(), keys.renewals()}, inc, Long.toString(settings.lease().toMillis()))
                .whenComplete((time, failure) -> hub.execute(() -> {
                    registering = false;
                    if (closed) {
                        return;
                    }
                    if (failure != null) {
                        log.debug("Registering {} failed ({}); retrying", inc, failure.toString());
                        timer.schedule(() -> hub.execute(this::register), settings.readBlock().toMillis(),
                                TimeUnit.MILLISECONDS);
                        return;
                    }
                    renewed(Long.parseLong(time));
                    incarnation = inc;
                    log.info("Node {} registered incarnation {}", settings.nodeId(), inc);
                    reconcile();
                    maybeReady();
                }));
    }

    /** Registers every local session (and sends every unconfirmed end) under the current incarnation. */
    private void reconcile() {
        if (incarnation == null || registering || closed) {
            return;
        }
        reconcileNeeded = false;
        long now = clock.millis();
        userBySession.forEach((sessionId, userId) -> attach(sessionId, userId, now, false));
        List<End> ends = new ArrayList<>(unsentEnds.values());
        unsentEnds.clear();
        for (End end : ends) {
            // attach first: if Redis lost its data, the end still takes the user offline everywhere
            attach(end.sessionId(), end.userId(), now, false);
            detach(end);
        }
        if (!ends.isEmpty() || !userBySession.isEmpty()) {
            log.info("Node {} registered {} session(s) and {} end(s) again under {}", settings.nodeId(),
                    userBySession.size(), ends.size(), incarnation);
        }
    }

    /** This node's incarnation was fenced (its lease ran out while it lived): take a new one. */
    private void fenced() {
        String inc = incarnation;
        if (inc == null || registering) {
            return;
        }
        metrics.foundSelfFenced();
        log.warn("Node {} found its incarnation {} fenced; registering again", settings.nodeId(), inc);
        incarnation = null;
        register();
    }

    private void renewed(long redisTime) {
        lastRenewalMillis = redisTime;
        long now = System.nanoTime();
        lastRenewalNanos = now;
        if (healthySinceNanos == -1) {
            healthySinceNanos = now;
        }
    }

    /** On the timer: renews the lease; a failure marks Redis away, the first success after one reconciles. */
    private void renew() {
        String inc = incarnation;
        if (inc == null || renewalPaused || closed) {
            return;
        }
        try {
            List<Object> reply = RedisScripts.<List<Object>>run(background.async(), scripts.renew,
                    ScriptOutputType.MULTI, new String[] {keys.nodes(), keys.renewals(), keys.fencedNodes()}, inc,
                    Long.toString(settings.lease().toMillis())).get(settings.lease().toMillis(), TimeUnit.MILLISECONDS);
            String outcome = (String) reply.get(0);
            if ("OK".equals(outcome)) {
                boolean wasAway = healthySinceNanos == -1;
                renewed(Long.parseLong((String) reply.get(1)));
                if (wasAway || reconcileNeeded) {
                    log.info("Node {} reaches Redis again; reconciling", settings.nodeId());
                    hub.execute(this::reconcile);
                }
            } else {
                healthySinceNanos = System.nanoTime();
                hub.execute(() -> {
                    if (inc.equals(incarnation)) {
                        if ("FENCED".equals(outcome)) {
                            fenced();
                        } else {
                            log.warn("Redis no longer knows incarnation {} (it lost its data?); registering again",
                                    inc);
                            incarnation = null;
                            register();
                            reader.reloadAll();
                        }
                    }
                });
            }
        } catch (Exception e) {
            if (closed) {
                return;
            }
            if (healthySinceNanos != -1) {
                log.warn("Node {} cannot renew its lease: {}", settings.nodeId(), e.toString());
            }
            healthySinceNanos = -1;
        }
    }

    /** On the timer: housekeeping, while this node is registered and reaches Redis. */
    private void housekeep() {
        String inc = incarnation;
        long since = healthySinceNanos;
        if (inc == null || renewalPaused || closed || since == -1) {
            return;
        }
        housekeeper.tick(inc, System.nanoTime() - since >= leaseNanos);
    }

    private void maybeReady() {
        if (readyOnHub && incarnation != null && !ready.isDone()) {
            ready.complete(null);
        }
    }

    // ---- memberships

    /**
     * Runs {@code task} (on the hub's thread) when membership changes of other nodes may have been missed: the
     * membership stream was trimmed past this node. Memberships live in the database, so the server reloads
     * them there; {@link #joined}/{@link #left} of what differs then also reach the other nodes, harmlessly.
     */
    public void onMembershipsMissed(Runnable task) {
        this.membershipsMissed = task;
    }

    @Override
    public List<Delivery> joined(String threadId, String userId) {
        boolean known = audience.members(threadId).contains(userId);
        List<Delivery> deliveries = applyJoin(threadId, userId);
        if (started && !known) {
            publish("j", threadId, userId);
        }
        return deliveries;
    }

    @Override
    public Set<String> left(String threadId, String userId) {
        boolean known = audience.members(threadId).contains(userId);
        Set<String> noLongerShared = audience.leave(threadId, userId);
        if (started && known) {
            publish("l", threadId, userId);
        }
        return noLongerShared;
    }

    /** The join on this node's audience; deliveries for this node's sessions only. */
    private List<Delivery> applyJoin(String threadId, String userId) {
        return visibility.join(threadId, userId);
    }

    private void publish(String kind, String threadId, String userId) {
        String[] streamKeys = {keys.memberships(), keys.memberships(), keys.memberships(), keys.membershipSequence(),
                keys.memberships()};
        inFlight.incrementAndGet();
        RedisScripts.<String>run(writes.async(), scripts.member, ScriptOutputType.VALUE, streamKeys, kind, threadId,
                userId, runToken, maxLength()).whenComplete((id, failure) -> {
                    inFlight.decrementAndGet();
                    if (failure != null) {
                        // other nodes miss it until they reload memberships; nothing to retry safely out of order
                        metrics.writeFailed();
                        log.warn("Membership change {} {} {} not published: {}", kind, threadId, userId,
                                failure.toString());
                    }
                });
    }

    // ---- queries: local state only

    @Override
    public List<UserStatus> snapshot(String viewer) {
        return visibility.snapshot(viewer);
    }

    @Override
    public List<UserStatus> visibleStatuses(String viewer, Collection<String> userIds) {
        return visibility.visibleStatuses(viewer, userIds);
    }

    @Override
    public UserStatus status(String userId) {
        return replica.status(userId);
    }

    @Override
    public Set<String> members(String threadId) {
        return audience.members(threadId);
    }

    @Override
    public Set<String> coMembers(String userId) {
        return audience.coMembers(userId);
    }

    /** Users online in the whole cluster, as this node's replica knows them. */
    @Override
    public int onlineUserCount() {
        return replica.onlineCount();
    }

    /**
     * Fills in a user Redis has not told this node of (its last seen and version from the database); what Redis
     * holds replaces it when the partition loads. Redis itself is not written: its versions come from its own
     * clock and only grow.
     */
    @Override
    public void restore(String userId, long lastSeen, long version) {
        replica.restore(userId, lastSeen, Math.max(version, clock.millis()));
    }

    @Override
    public void onChange(Consumer<UserStatus> listener) {
        replica.onChange(listener);
    }

    /**
     * Statuses that changed since the last call, as this node learned them: every node learns every flip, so a
     * server may let a single node write them to the database (writing from all is harmless, only slower).
     */
    @Override
    public List<UserStatus> drainChanged() {
        return replica.drainChanged();
    }

    // ---- what the reader brings

    private void learned(List<UserStatus> statuses, boolean deliver) {
        for (UserStatus status : statuses) {
            StatusReplica.Learned outcome = replica.learn(status);
            if (outcome == StatusReplica.Learned.FLIP && deliver) {
                later.deliver(new Delivery(localCoMembers(status.userId()), replica.status(status.userId()), true));
            }
        }
    }

    /**
     * After a reload: users online here that Redis does not know (it lost its data). Their node registers them
     * again within a quarter lease if it lives; those still unknown after a lease and a grace had their node die
     * meanwhile, and go offline here (each node decides the same for itself).
     */
    private void suspectGhosts(int partition, List<UserStatus> known) {
        Set<String> inRedis = new java.util.HashSet<>();
        known.forEach(s -> inRedis.add(s.userId()));
        Map<String, Long> ghosts = new HashMap<>();
        for (UserStatus status : replica.onlineIn(partition, keys::partition)) {
            if (!inRedis.contains(status.userId())) {
                ghosts.put(status.userId(), status.version());
            }
        }
        if (ghosts.isEmpty() || closed) {
            return;
        }
        timer.schedule(() -> hub.execute(() -> ghosts.forEach((userId, version) -> {
            UserStatus now = replica.status(userId);
            if (!closed && now.online() && now.version() == version) {
                log.warn("Node {}: {} is online here but unknown to Redis since it lost its data; offline",
                        settings.nodeId(), userId);
                later.deliver(new Delivery(localCoMembers(userId), replica.forget(userId, clock.millis()), true));
            }
        })), settings.lease().toMillis() + graceMillis, TimeUnit.MILLISECONDS);
    }

    private List<String> localCoMembers(String userId) {
        return visibility.listeningCoMembers(userId);
    }

    private final class ReaderTarget implements OutboxReader.Target {
        @Override
        public void loaded(int partition, List<UserStatus> statuses, boolean initial) {
            hub.execute(() -> {
                learned(statuses, !initial);
                if (!initial) {
                    suspectGhosts(partition, statuses);
                }
            });
        }

        @Override
        public void events(List<UserStatus> flips) {
            if (!flips.isEmpty()) {
                hub.execute(() -> learned(flips, true));
            }
        }

        @Override
        public void memberships(List<OutboxReader.MembershipChange> changes) {
            hub.execute(() -> {
                for (OutboxReader.MembershipChange change : changes) {
                    if (runToken.equals(change.origin())) {
                        continue;
                    }
                    if (change.joined()) {
                        applyJoin(change.threadId(), change.userId()).forEach(later::deliver);
                    } else {
                        audience.leave(change.threadId(), change.userId());
                    }
                }
            });
        }

        @Override
        public void membershipsMissed() {
            hub.execute(() -> membershipsMissed.run());
        }

        @Override
        public void started() {
            loaded = true;
            hub.execute(() -> {
                readyOnHub = true;
                maybeReady();
            });
        }
    }

    // ---- shutdown and tests

    /**
     * Leaves the cluster: ends this node's remaining sessions as lost connections (the grace applies, run by the
     * other nodes), gives up the incarnation, stops the threads and closes the connections. Call on the hub's
     * thread, after the sessions were closed; waits up to a lease for Redis.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        String inc = incarnation;
        if (inc != null && !renewalPaused) {
            // the ends of the sessions just closed go first, so they carry their own last heard
            long giveUp = System.nanoTime() + leaseNanos;
            while (inFlight.get() > 0 && System.nanoTime() < giveUp) {
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            }
            try {
                RedisScripts.<String>run(background.async(), scripts.deregister, ScriptOutputType.VALUE,
                        new String[] {keys.nodes(), keys.renewals(), keys.fencedNodes(), keys.reaping(),
                                keys.housekeeper()}, inc)
                        .get(settings.lease().toMillis(), TimeUnit.MILLISECONDS);
                log.info("Node {} left the cluster; {} session(s) left to the grace", settings.nodeId(),
                        userBySession.size());
            } catch (Exception e) {
                log.warn("Node {} could not leave the cluster cleanly ({}); its lease will run out",
                        settings.nodeId(), e.toString());
            }
        }
        shutDown();
    }

    private void shutDown() {
        closed = true;
        timer.shutdownNow();
        reader.close();
        writes.close();
        background.close();
    }

    /** For tests: the node hangs (no renewals, no housekeeping, no reading) but keeps its state and connections. */
    void hang(boolean value) {
        renewalPaused = value;
        reader.pause(value);
    }

    /** For tests: the node stops reading the outbox (a slow node), and reads again from where it was. */
    void pauseReading(boolean value) {
        reader.pause(value);
    }

    /** For tests: the process dies; nothing is cleaned up in Redis. */
    void crash() {
        renewalPaused = true;
        shutDown();
    }
}
