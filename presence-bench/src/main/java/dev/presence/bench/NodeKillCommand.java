package dev.presence.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * A node of a cluster dies (SIGKILL): how long until every watcher on the other nodes saw every one of its
 * users offline, against the promise of lease + grace. N ring users spread over the nodes (user u on node
 * u % nodes), so each of the killed node's users has watchers on the surviving nodes; nobody reconnects.
 * Reports, per killed user, the time until the last of its surviving watchers had it offline (median, max),
 * the watcher pairs still showing it online after lease + grace + 2 s (stuck online), offline events about
 * users of surviving nodes (false offline), versions that went backwards, and what the reaping cost Redis.
 */
@Command(name = "node-kill", mixinStandardHelpOptions = true,
        description = "Cluster mode: kill -9 one node and time until watchers on the other nodes saw all its users"
                + " offline (against lease + grace); stuck-online count.")
final class NodeKillCommand extends Scenario {

    @Option(names = {"-n", "--users"}, paramLabel = "N",
            description = "Users, one session each, spread over the nodes (default 3000; quick 150).")
    Integer users;

    @Option(names = "--offline-grace", paramLabel = "DURATION",
            description = "The nodes' --offline-grace (default the server's, 3s; quick 1s).")
    String grace;

    @Option(names = "--settle", paramLabel = "SECONDS", description = "Quiet time after connecting, before the"
            + " kill, so every node has renewed its lease at least once (default 5; quick 1).")
    Integer settle;

    @Mixin
    ClusterOptions cluster = new ClusterOptions();

    @Override
    String name() {
        return "node-kill";
    }

    @Override
    void run() throws Exception {
        int n = users != null ? users : common.quick ? 150 : 3_000;
        if (!cluster.on()) {
            cluster.nodes = 3;
        }
        if (cluster.nodes < 2) {
            throw new IllegalArgumentException("node-kill needs at least 2 nodes");
        }
        if (common.quick && "10s".equals(cluster.lease)) {
            // not shorter: a node gives its first Redis handshake lease / 4, and a JVM starting on a busy
            // machine has been seen to need more than 500 ms (it then exits)
            cluster.lease = "4s";
        }
        String graceText = grace != null ? grace : common.quick ? "1s" : "3s";
        double leaseS = Durations.seconds(cluster.lease);
        double graceS = Durations.seconds(graceText);
        double promise = leaseS + graceS;
        String xmx = common.xmx != null ? common.xmx : "512m";
        int nodeCount = cluster.nodes;
        int victimNode = 0;
        report.root.put("users", n);
        report.root.put("cluster_nodes", nodeCount);
        report.root.put("node_lease_seconds", leaseS);
        report.root.put("offline_grace_seconds", graceS);
        report.root.put("promise_seconds", promise);
        report.root.put("killed_node", "node" + victimNode);

        // watcher pairs: a session on a surviving node whose view holds a user of the killed node
        Map<Long, Long> pairSeen = new ConcurrentHashMap<>();
        long[] t0 = new long[1];
        LongAdder falseOffline = new LongAdder();
        Fleet.Listener listener = new Fleet.Listener() {
            @Override
            public void status(Session receiver, int user, boolean online, long version, long nanos) {
                if (online || t0[0] == 0 || user < 0 || receiver.node == victimNode) {
                    return;
                }
                if (user % nodeCount != victimNode) {
                    falseOffline.increment();
                    return;
                }
                pairSeen.putIfAbsent(pair(receiver.user, user), nanos - t0[0]);
            }
        };
        log("provisioning %d users on %d nodes (lease %s, grace %s)", n, nodeCount, cluster.lease, graceText);
        try (BenchCluster nodes = BenchCluster.start(this, cluster, n, Ring.THREAD_SIZE, xmx,
                List.of("--offline-grace", graceText));
             Fleet fleet = new Fleet("127.0.0.1", nodes.ports(), common.threads, 0, Fleet.sourcesFor(n), listener)) {
            List<Session> all = new ArrayList<>(n);
            for (int u = 0; u < n; u++) {
                all.add(fleet.newSession(u, nodes.tokens.get(u), n));
            }
            int open = fleet.connectAll(all, 500, 120_000);
            if (open < n) {
                throw new IllegalStateException("only " + open + " of " + n + " sessions opened: "
                        + (fleet.limitHit != null ? fleet.limitHit : fleet.lastFailure));
            }
            // every view complete: all co-members online on every node
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (fleet.completeViews.get() < n && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            report.root.put("complete_views_before_kill", fleet.completeViews.get());
            if (fleet.completeViews.get() < n) {
                broken.add("only " + fleet.completeViews.get() + " of " + n + " views complete before the kill");
            }
            Thread.sleep((settle != null ? settle : common.quick ? 1 : 5) * 1000L);
            List<long[]> pairs = new ArrayList<>(); // {watcher, killed user}
            for (Session s : all) {
                if (s.node == victimNode) {
                    continue;
                }
                for (int w : s.watched) {
                    if (w % nodeCount == victimNode) {
                        pairs.add(new long[] {s.user, w});
                    }
                }
            }
            int killedUsers = (int) all.stream().filter(s -> s.node == victimNode).count();
            report.root.put("killed_users", killedUsers);
            report.root.put("watcher_pairs", pairs.size());
            RedisCounters r0 = nodes.counters();
            long regressions0 = fleet.versionRegressions.sum();
            t0[0] = System.nanoTime();
            nodes.nodes.get(victimNode).kill();
            log("node%d killed (%d users, %d watcher pairs on the other nodes)", victimNode, killedUsers, pairs.size());
            long checkAt = t0[0] + TimeUnit.MILLISECONDS.toNanos((long) ((promise + 2) * 1000));
            while (pairSeen.size() < pairs.size() && System.nanoTime() < checkAt) {
                Thread.sleep(20);
            }
            while (System.nanoTime() < checkAt) {
                Thread.sleep(20); // late flips and false offlines have until the check too
            }
            int stuckPairs = 0;
            java.util.Set<Long> stuckUsers = new java.util.HashSet<>();
            for (long[] p : pairs) {
                Session w = all.get((int) p[0]);
                boolean showsOnline = w.loop.submit(() -> {
                    for (int i = 0; i < w.watched.length; i++) {
                        if (w.watched[i] == p[1]) {
                            return w.online[i];
                        }
                    }
                    return false;
                }).get(5, TimeUnit.SECONDS);
                if (showsOnline) {
                    stuckPairs++;
                    stuckUsers.add(p[1]);
                }
            }
            RedisCounters r1 = nodes.counters();
            // per killed user: when the last of its surviving watchers had it offline
            Map<Long, Long> lastPerUser = new java.util.HashMap<>();
            Histogram pairsHist = new Histogram(TimeUnit.SECONDS.toNanos(600), 3);
            int missed = 0;
            for (long[] p : pairs) {
                Long d = pairSeen.get(pair(p[0], p[1]));
                if (d == null) {
                    missed++;
                    lastPerUser.put(p[1], Long.MAX_VALUE);
                    continue;
                }
                pairsHist.recordValue(Math.max(0, d));
                lastPerUser.merge(p[1], d, Math::max);
            }
            List<Double> perUser = new ArrayList<>();
            for (long d : lastPerUser.values()) {
                if (d != Long.MAX_VALUE) {
                    perUser.add(d / 1e9);
                }
            }
            double median = median(perUser);
            double max = perUser.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
            boolean complete = missed == 0;
            report.root.put("users_seen_offline_by_every_watcher_seconds_median", median);
            report.root.put("users_seen_offline_by_every_watcher_seconds_max", max);
            report.root.put("users_seen_offline_by_every_watcher", perUser.size());
            report.root.set("watcher_pair_receipts_ms", Report.percentilesMs(pairsHist));
            report.root.put("watcher_pairs_never_told", missed);
            report.root.put("stuck_online_pairs_after_promise_plus_2s", stuckPairs);
            report.root.put("stuck_online_users_after_promise_plus_2s", stuckUsers.size());
            report.root.put("false_offline_events", falseOffline.sum());
            report.root.put("version_regressions", fleet.versionRegressions.sum() - regressions0);
            report.root.put("max_over_promise", max / promise);
            report.root.put("median_over_promise", median / promise);
            ObjectNode redis = r1.since(r0, nodeCount - 1);
            report.root.set("redis", redis);
            boolean met = complete && stuckPairs == 0 && max <= promise + 2;
            report.root.put("target_met", met);
            report.header("killed users", "watcher pairs", "median s", "max s", "lease + grace s", "max / promise",
                    "never told", "stuck online", "false offline", "met");
            report.row(killedUsers, pairs.size(), median, max, promise, max / promise, missed, stuckPairs,
                    falseOffline.sum(), met ? "yes" : "NO");
            report.note(String.format("Redis over the kill: %d status changes, %.1f commands per change,"
                    + " %.0f commands/s per surviving node", redis.path("status_changes").asLong(),
                    redis.path("commands_per_status_change").asDouble(),
                    redis.path("commands_per_second_per_node").asDouble()));
            if (perUser.isEmpty()) {
                broken.add("no watcher ever saw a user of the killed node offline");
            } else if (common.quick && (!complete || stuckPairs > 0)) {
                broken.add(missed + " watcher pairs never told, " + stuckPairs + " stuck online");
            }
        }
    }

    private static long pair(long watcher, long user) {
        return watcher << 32 | user;
    }
}
