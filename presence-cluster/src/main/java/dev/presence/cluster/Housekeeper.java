package dev.presence.cluster;

import dev.presence.core.Clock;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The cluster's chores, done by whichever node holds a short lock: ending the graces that are due in every
 * partition (whoever made them: a dead node cannot run its timers), and fencing the incarnations whose lease
 * ran out and ending their sessions, in small batches, as lost connections. Every script it runs is
 * idempotent, so two holders at once (a lock that changed hands during a pause) only repeat work.
 */
final class Housekeeper {

    private static final Logger log = LoggerFactory.getLogger(Housekeeper.class);

    private final StatefulRedisConnection<String, String> redis;
    private final RedisKeys keys;
    private final RedisScripts scripts;
    private final ClusterSettings settings;
    private final Clock clock;
    private final long graceMillis;
    private final ClusterMetrics metrics;

    Housekeeper(StatefulRedisConnection<String, String> redis, RedisKeys keys, RedisScripts scripts,
                ClusterSettings settings, Clock clock, long graceMillis, ClusterMetrics metrics) {
        this.redis = redis;
        this.keys = keys;
        this.scripts = scripts;
        this.settings = settings;
        this.clock = clock;
        this.graceMillis = graceMillis;
        this.metrics = metrics;
    }

    /**
     * One round, on a thread that may block. Takes (or keeps) the lock; as holder, ends due graces and, if
     * {@code mayReap}, fences and reaps.
     *
     * @param mayReap whether this node has renewed without a break for a whole lease: only then may it declare
     *                others dead, so nobody is declared dead because Redis was away and nobody could renew
     */
    void tick(String incarnation, boolean mayReap) {
        try {
            long timeout = settings.lease().toMillis();
            Long held = RedisScripts.<Long>run(redis.async(), scripts.lock, ScriptOutputType.INTEGER,
                    new String[] {keys.housekeeper()}, incarnation, Long.toString(lockMillis()))
                    .get(timeout, TimeUnit.MILLISECONDS);
            if (held == null || held != 1) {
                return;
            }
            for (int p = 0; p < settings.partitions(); p++) {
                RedisScripts.<Long>run(redis.async(), scripts.sweep, ScriptOutputType.INTEGER,
                        keys.partitionKeys(p), Long.toString(clock.millis()),
                        Long.toString(settings.outboxMaxLength()), Integer.toString(settings.reapBatch()),
                        keys.userSessionsPrefix(p))
                        .get(timeout, TimeUnit.MILLISECONDS);
            }
            if (mayReap) {
                reap(timeout);
            }
        } catch (Exception e) {
            log.debug("Housekeeping failed: {}", e.toString());
        }
    }

    /**
     * How long the lock outlives its holder's last round: short, so that a dead holder's chores pass on well
     * inside a grace.
     */
    private long lockMillis() {
        long interval = settings.housekeepingInterval().toMillis();
        return Math.min(settings.lease().toMillis(), Math.max(1_000, 3 * interval));
    }

    @SuppressWarnings("unchecked")
    private void reap(long timeout) throws Exception {
        List<Object> reply = RedisScripts.<List<Object>>run(redis.async(), scripts.fence,
                ScriptOutputType.MULTI, new String[] {keys.nodes(), keys.renewals(), keys.fencedNodes(),
                        keys.reaping()}, "100").get(timeout, TimeUnit.MILLISECONDS);
        List<Object> lapsed = (List<Object>) reply.get(0);
        if (!lapsed.isEmpty()) {
            metrics.fenced(lapsed.size());
            log.warn("Node {} fenced incarnation(s) {}: their leases ran out", settings.nodeId(), lapsed);
        }
        List<Object> reaping = (List<Object>) reply.get(1);
        for (int i = 0; i + 1 < reaping.size(); i += 2) {
            String dead = (String) reaping.get(i);
            String[] times = ((String) reaping.get(i + 1)).split(",");
            String lastRenewal = times[0];
            // the graces start when the lease ran out, not when a housekeeper got round to it
            long graceDeadline = Long.parseLong(times[1]) + graceMillis;
            long reaped = 0;
            long left = 0;
            for (int p = 0; p < settings.partitions(); p++) {
                List<Object> counts = RedisScripts.<List<Object>>run(redis.async(), scripts.reap,
                        ScriptOutputType.MULTI, keys.partitionKeys(p, keys.nodeSessions(p, dead)), dead,
                        Long.toString(graceDeadline), lastRenewal,
                        Integer.toString(settings.reapBatch()), keys.userSessionsPrefix(p))
                        .get(timeout, TimeUnit.MILLISECONDS);
                reaped += (Long) counts.get(0);
                left += (Long) counts.get(1);
            }
            metrics.reaped(reaped);
            if (reaped > 0) {
                log.warn("Node {} ended {} session(s) of {} as lost connections (lease ran out or node stopped;"
                        + " last seen {}); {} left", settings.nodeId(), reaped, dead, lastRenewal, left);
            }
            if (left == 0) {
                redis.async().hdel(keys.reaping(), dead).get(timeout, TimeUnit.MILLISECONDS);
            }
        }
    }
}
