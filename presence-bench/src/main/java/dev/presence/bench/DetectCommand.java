package dev.presence.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SynchronizedHistogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * V sessions that end at once, and how long until their watchers (the victims' ring neighbours, all alive)
 * receive {@code user_status_changed} offline. Three kinds of end, as users' devices end them:
 * <ul>
 *   <li>{@code silent} (default): the network dies. The generator stops reading (autoRead off) and never
 *       writes again (no pong, no close), leaving the socket open, so the server hears nothing more and must
 *       find the dead link by its heartbeat: interval + timeout.</li>
 *   <li>{@code drop}: the app is killed and the OS closes its socket, without a close frame: the offline
 *       grace.</li>
 *   <li>{@code close}: the app closes cleanly with a close frame: at once.</li>
 * </ul>
 */
@Command(name = "detect", mixinStandardHelpOptions = true,
        description = "How fast watchers learn that sessions ended: network gone (silent), process killed"
                + " (drop) or closed cleanly (close).")
final class DetectCommand extends Scenario {

    /** How the victims' sessions end. */
    enum End { silent, drop, close }

    @Option(names = "--end", paramLabel = "KIND", defaultValue = "silent",
            description = "silent (network gone), drop (socket closed without a close frame) or close (close"
                    + " frame); default ${DEFAULT-VALUE}.")
    End end;

    @Option(names = "--offline-grace", paramLabel = "DURATION", description = "Default: the server's (3s).")
    String grace;

    @Option(names = {"-n", "--sessions"}, paramLabel = "V",
            description = "Sessions that die (default 1000; quick 50). As many watchers stay alive.")
    Integer victims;

    @Option(names = "--heartbeat-interval", paramLabel = "DURATION", description = "Default 5s; quick 1s.")
    String interval;

    @Option(names = "--heartbeat-timeout", paramLabel = "DURATION", description = "Default 5s; quick 1s.")
    String timeout;

    @Mixin
    ClusterOptions cluster = new ClusterOptions();

    @Override
    String name() {
        return "detect";
    }

    @Override
    void run() throws Exception {
        int v = victims != null ? victims : common.quick ? 50 : 1_000;
        String hbInterval = interval != null ? interval : common.quick ? "1s" : "5s";
        String hbTimeout = timeout != null ? timeout : common.quick ? "1s" : "5s";
        double intervalS = Durations.seconds(hbInterval);
        double timeoutS = Durations.seconds(hbTimeout);
        double graceS = grace != null ? Durations.seconds(grace) : 3;
        double targetMax = switch (end) {
            case silent -> intervalS + timeoutS + 1;
            case drop -> graceS + 1;
            case close -> 1;
        };
        int users = 2 * v; // victims are the even users, so each has 4 live watchers among its 8 co-members
        String xmx = common.xmx != null ? common.xmx : "1g";
        report.root.put("victims", v);
        report.root.put("watchers", v);
        report.root.put("heartbeat_interval", hbInterval);
        report.root.put("heartbeat_timeout", hbTimeout);
        report.root.put("offline_grace_seconds", graceS);
        report.root.put("end", end.name());
        report.root.put("simulation", switch (end) {
            case silent -> "generator side: autoRead off and no writes on each victim's socket, socket left open"
                    + " (the kernel still ACKs; the server hears no frame)";
            case drop -> "generator side: each victim's socket closed without a close frame (as the OS does"
                    + " when the app is killed)";
            case close -> "generator side: each victim sends a close frame 1000 (the app closes cleanly)";
        });
        report.root.putObject("targets").put("misses", 0).put("max_seconds", targetMax);

        AtomicLongArray detected = new AtomicLongArray(users);
        Histogram allReceipts = new SynchronizedHistogram(TimeUnit.SECONDS.toNanos(300), 3);
        LongAdder falseOffline = new LongAdder();
        AtomicInteger found = new AtomicInteger();
        long[] t0 = new long[1];
        Fleet.Listener listener = new Fleet.Listener() {
            @Override
            public void status(Session receiver, int user, boolean online, long version, long nanos) {
                if (online || t0[0] == 0 || user < 0) {
                    return;
                }
                if (user % 2 == 1) {
                    falseOffline.increment();
                    return;
                }
                long d = nanos - t0[0];
                allReceipts.recordValue(Math.max(0, d));
                if (detected.compareAndSet(user, 0, Math.max(1, d))) {
                    found.incrementAndGet();
                }
            }
        };
        List<String> serverOptions = new ArrayList<>(List.of("--heartbeat-interval", hbInterval,
                "--heartbeat-timeout", hbTimeout));
        if (grace != null) {
            serverOptions.addAll(List.of("--offline-grace", grace));
        }
        Path data = work.resolve("data");
        log("provisioning %d users%s", users, cluster.on() ? " on " + cluster.nodes + " nodes" : "");
        List<String> tokens;
        int[] ports;
        ServerProcess single = null;
        BenchCluster nodes = null;
        java.util.function.Supplier<Map<String, Double>> metrics;
        if (cluster.on()) {
            nodes = BenchCluster.start(this, cluster, users, Ring.THREAD_SIZE, xmx, serverOptions);
            tokens = nodes.tokens;
            ports = nodes.ports();
            metrics = nodes::metrics;
            report.root.put("cluster_nodes", cluster.nodes);
            report.root.put("node_lease", cluster.lease);
        } else {
            tokens = Provisioner.provision(data, users);
            single = startServer(common.freePort(), data, xmx, List.of(), serverOptions, work.resolve("server.log"));
            ports = new int[] {single.port};
            metrics = single::metrics;
        }
        try (AutoCloseable servers = nodes != null ? nodes : single;
             Fleet fleet = new Fleet("127.0.0.1", ports, common.threads, 0, Fleet.sourcesFor(users), listener)) {
            List<Session> all = new ArrayList<>(users);
            for (int u = 0; u < users; u++) {
                all.add(fleet.newSession(u, tokens.get(u), users));
            }
            int open = fleet.connectAll(all, 500, 120_000);
            if (open < users) {
                throw new IllegalStateException("only " + open + " of " + users + " sessions opened: "
                        + (fleet.limitHit != null ? fleet.limitHit : fleet.lastFailure));
            }
            // steady state: every session has had its staggered first ping
            long settle = (long) ((intervalS * 1.5 + 1) * 1000);
            log("%d open; settling %d ms so pings are in steady state", open, settle);
            Thread.sleep(settle);
            Map<String, Double> m0 = metrics.get();
            RedisCounters r0 = nodes != null ? nodes.counters() : null;
            long before = fleet.offlineEvents.sum();
            if (before > 0) {
                report.note(before + " offline events before the failure");
            }
            t0[0] = System.nanoTime();
            for (int u = 0; u < users; u += 2) {
                switch (end) {
                    case silent -> fleet.freeze(all.get(u));
                    case drop -> fleet.drop(all.get(u));
                    case close -> fleet.closeClean(all.get(u));
                }
            }
            log("%d sessions ended (%s)", v, end);
            long deadline = t0[0] + TimeUnit.MILLISECONDS.toNanos((long) ((intervalS + timeoutS) * 2000 + 10_000));
            while (found.get() < v && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            Thread.sleep(500); // late duplicates and false offlines
            Map<String, Double> m1 = metrics.get();
            if (nodes != null) {
                // the victims' flips and their cost in Redis (idle renewals and housekeeping included)
                report.root.set("redis", nodes.counters().since(r0, cluster.nodes));
            }
            Histogram first = new Histogram(TimeUnit.SECONDS.toNanos(300), 3);
            for (int u = 0; u < users; u += 2) {
                if (detected.get(u) != 0) {
                    first.recordValue(detected.get(u));
                }
            }
            int misses = v - found.get();
            ObjectNode dist = Report.percentilesMs(first);
            dist.put("min", first.getTotalCount() == 0 ? Double.NaN : first.getMinValue() / 1e6);
            report.root.set("detection_ms", dist);
            report.root.set("all_watcher_receipts_ms", Report.percentilesMs(allReceipts));
            report.root.put("found", found.get());
            report.root.put("misses", misses);
            report.root.put("false_offline_of_live_watchers", falseOffline.sum());
            report.root.put("server_stale_connections", ServerProcess.metric(m1, "presence_stale_connections_total")
                    - ServerProcess.metric(m0, "presence_stale_connections_total"));
            double count = ServerProcess.metric(m1, "presence_detection_delay_seconds_count")
                    - ServerProcess.metric(m0, "presence_detection_delay_seconds_count");
            double sum = ServerProcess.metric(m1, "presence_detection_delay_seconds_sum")
                    - ServerProcess.metric(m0, "presence_detection_delay_seconds_sum");
            report.root.put("server_detection_delay_mean_seconds", count > 0 ? sum / count : Double.NaN);
            report.root.put("server_detection_delay_max_seconds",
                    ServerProcess.metric(m1, "presence_detection_delay_seconds_max"));
            double maxS = first.getTotalCount() == 0 ? Double.NaN : first.getMaxValue() / 1e9;
            boolean met = misses == 0 && maxS <= targetMax;
            report.root.put("target_met", met);
            report.header("victims", "found", "misses", "min s", "p50 s", "p90 s", "p99 s", "max s", "target max s",
                    "false offline", "met");
            report.row(v, found.get(), misses, dist.path("min").asDouble() / 1000, dist.path("p50").asDouble() / 1000,
                    dist.path("p90").asDouble() / 1000, dist.path("p99").asDouble() / 1000, maxS, targetMax,
                    falseOffline.sum(), met ? "yes" : "NO");
            if (found.get() == 0) {
                broken.add("no dead session was ever reported offline");
            } else if (common.quick && misses > 0) {
                broken.add(misses + " dead sessions never reported offline");
            }
            for (int u = 0; u < users; u += 2) {
                fleet.drop(all.get(u));
            }
        }
    }
}
