package dev.presence.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Many online users; sessions are closed (clean close frame) and reopened at rising rates. Each close makes 8
 * co-members receive {@code user_status_changed} offline and each reopen 8 more online, so a cycle is 16
 * deliveries. Latency is from the close (or the reopen's connect) to each co-member's receipt, on
 * {@link System#nanoTime} within this one process, which both closes and receives.
 */
@Command(name = "fanout", mixinStandardHelpOptions = true,
        description = "Status delivery latency and throughput under rising close/reopen rates.")
final class FanoutCommand extends Scenario {

    static final double TARGET_DELIVERIES = 200_000;
    static final double TARGET_P99_MS = 50;
    static final double TARGET_P99_AT = 100_000;

    @Option(names = {"-n", "--sessions"}, paramLabel = "N", description = "Online users (default 15000; quick 300).")
    Integer sessions;

    @Option(names = "--rates", split = ",", paramLabel = "DELIVERIES_PER_S",
            description = "Offered deliveries per second, one step each, until p99 passes --stop-p99-ms (default"
                    + " 5000,10000,15000,20000,25000,50000,100000,200000; quick 1000,3000).")
    List<Integer> rates;

    @Option(names = "--step", paramLabel = "SECONDS", description = "Length of each step (default 15; quick 3).")
    Integer step;

    @Option(names = "--thread-size", defaultValue = "5", paramLabel = "K",
            description = "Members per thread; each user is in K threads and has 2(K-1) co-members, so a close/reopen"
                    + " cycle makes 4(K-1) deliveries (default ${DEFAULT-VALUE}: 5 threads of 5, as in density).")
    int threadSize;

    @Option(names = "--settle", paramLabel = "SECONDS", description = "Pause after all sessions connected, so the"
            + " connect burst's GC, JIT and status write-behind are done (default 20; quick 1).")
    Integer settle;

    @Option(names = "--warmup", paramLabel = "SECONDS",
            description = "Unrecorded step at half the first rate so the JIT has compiled the paths (default 10;"
                    + " quick 0).")
    Integer warmup;

    @Option(names = "--profile", description = "Record the server with JFR during the steps and list where its CPU"
            + " goes (adds a little overhead).")
    boolean profile;

    @Option(names = "--stop-p99-ms", defaultValue = "2000", paramLabel = "MS",
            description = "Stop rising once a step's p99 exceeds this (default ${DEFAULT-VALUE}).")
    double stopP99Ms;

    @Mixin
    ClusterOptions cluster = new ClusterOptions();

    private final Recorder offlineLatency = new Recorder(TimeUnit.SECONDS.toNanos(120), 3);
    private final Recorder onlineLatency = new Recorder(TimeUnit.SECONDS.toNanos(120), 3);
    private final ConcurrentLinkedQueue<Session> idle = new ConcurrentLinkedQueue<>();
    private final LongAdder cyclesDone = new LongAdder();
    private final LongAdder handshakeCloses = new LongAdder();
    private AtomicLongArray closedAt;
    private AtomicLongArray openedAt;
    private volatile boolean cycling;
    private Fleet fleet;
    /** The server: one process, or the nodes of a cluster (then {@code single} is null). */
    private ServerProcess single;
    private BenchCluster nodes;

    @Override
    String name() {
        return "fanout";
    }

    @Override
    void run() throws Exception {
        int n = sessions != null ? sessions : common.quick ? 300 : 15_000;
        List<Integer> steps = rates != null ? rates : common.quick ? List.of(1_000, 3_000)
                : List.of(5_000, 10_000, 15_000, 20_000, 25_000, 50_000, 100_000, 200_000);
        int stepSeconds = step != null ? step : common.quick ? 3 : 15;
        String xmx = common.xmx != null ? common.xmx : "2g";
        report.root.put("sessions", n);
        report.root.put("step_seconds", stepSeconds);
        report.root.put("server_xmx", xmx);
        report.root.put("thread_size", threadSize);
        report.root.put("threads_per_user", threadSize);
        report.root.put("deliveries_per_cycle", 4 * (threadSize - 1));
        ObjectNode targets = report.root.putObject("targets");
        targets.put("deliveries_per_second", TARGET_DELIVERIES);
        targets.put("p99_ms_at_100k", TARGET_P99_MS);
        closedAt = new AtomicLongArray(n);
        openedAt = new AtomicLongArray(n);

        if (profile && cluster.on()) {
            throw new IllegalArgumentException("--profile records one server: run it without --cluster");
        }
        int sockets = Limits.socketsPerProcess();
        if (n > sockets) {
            throw new IllegalArgumentException("open files limit " + Limits.openFilesLimit() + ": one process (and"
                    + " one server) holds at most " + sockets + " sessions; fanout needs them in one process to time"
                    + " close-to-receipt on one clock");
        }
        Path data = work.resolve("data");
        log("provisioning %d users%s", n, cluster.on() ? " on " + cluster.nodes + " nodes" : "");
        List<String> tokens;
        int[] ports;
        if (cluster.on()) {
            nodes = BenchCluster.start(this, cluster, n, threadSize, xmx, List.of());
            tokens = nodes.tokens;
            ports = nodes.ports();
            report.root.put("cluster_nodes", cluster.nodes);
            report.root.put("node_lease", cluster.lease);
        } else {
            tokens = Provisioner.provision(data, n, threadSize);
            single = startServer(common.freePort(), data, xmx, List.of(), List.of(), work.resolve("server.log"));
            ports = new int[] {single.port};
        }
        try (AutoCloseable servers = nodes != null ? nodes : single;
             Fleet f = new Fleet("127.0.0.1", ports, common.threads, 0, Math.max(16, Fleet.sourcesFor(n)), new Cycler())) {
            fleet = f;
            List<Session> all = new ArrayList<>(n);
            for (int u = 0; u < n; u++) {
                all.add(f.newSession(u, tokens.get(u), n, threadSize));
            }
            long c0 = System.nanoTime();
            int open = f.connectAll(all, 500, 180_000);
            log("%d of %d open in %.1f s", open, n, (System.nanoTime() - c0) / 1e9);
            if (open < n) {
                String inLog = single != null ? single.limitInLog() : nodes.limitInLogs();
                String why = f.limitHit != null ? f.limitHit : inLog != null ? inLog : f.lastFailure;
                throw new IllegalStateException("only " + open + " of " + n + " sessions opened: " + why);
            }
            Thread.sleep(settle != null ? settle * 1000L : common.quick ? 1_000 : 20_000);
            List<Session> shuffled = new ArrayList<>(all);
            Collections.shuffle(shuffled, new Random(42));
            idle.addAll(shuffled);
            cycling = true;
            ArrayNode out = report.root.putArray("steps");
            report.header("offered/s", "achieved/s", "closes/s", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "max ms",
                    "online p99 ms", "server CPU %", "bench CPU %");
            long self = ProcessHandle.current().pid();
            int warm = warmup != null ? warmup : common.quick ? 0 : 10;
            if (warm > 0) {
                log("warm-up: %d s at %,d/s (not recorded)", warm, steps.get(0) / 2);
                runStep(steps.get(0) / 2, warm, self, false);
            }
            Path jfr = work.resolve("fanout.jfr");
            if (profile) {
                Profiler.start(single, jfr);
            }
            for (int rate : steps) {
                ObjectNode s = runStep(rate, stepSeconds, self, true);
                out.add(s);
                double p99 = s.path("offline_latency_ms").path("p99").asDouble(Double.NaN);
                if (p99 > stopP99Ms) {
                    report.note("stopped rising at " + rate + "/s offered: p99 " + Report.format(p99) + " ms > "
                            + stopP99Ms + " ms (saturated)");
                    break;
                }
            }
            cycling = false;
            if (profile) {
                report.root.set("server_cpu_profile", Profiler.stop(single, jfr, 20));
            }
            // quiesce: every cycle finishes, then every view must show all co-members online again
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline && (f.openSessions.get() < n || f.completeViews.get() < n)) {
                Thread.sleep(100);
            }
            report.root.put("open_at_end", f.openSessions.get());
            report.root.put("complete_views_at_end", f.completeViews.get());
            report.root.put("stale_events", f.staleEvents.sum());
            report.root.put("server_closes", f.serverCloses.sum());
            report.root.put("closed_by_server_before_welcome", handshakeCloses.sum());
            if (handshakeCloses.sum() > 0) {
                report.note(handshakeCloses.sum() + " reopened sessions were closed by the server before their welcome"
                        + " (retried after 100 ms); see the server log with --keep-data");
            }
            if (f.openSessions.get() < n || f.completeViews.get() < n) {
                report.note("after the run " + f.openSessions.get() + "/" + n + " sessions open and "
                        + f.completeViews.get() + " views showing every co-member online");
                broken.add("views did not converge after the cycles: " + f.completeViews.get() + " of " + n);
            }
        }
        summarize();
        Path png = Plots.fanoutPlot(report.root, common.resultsDir(), DensityCommand.stampOf(report));
        if (png != null) {
            report.root.put("plot", png.toString());
            report.note("plot: " + png);
        }
    }

    private ObjectNode runStep(int rate, int seconds, long self, boolean record) throws Exception {
        double closesPerSecond = rate / (double) (4 * (threadSize - 1));
        offlineLatency.getIntervalHistogram(); // reset
        onlineLatency.getIntervalHistogram();
        long events0 = fleet.statusEvents.sum();
        long cycles0 = cyclesDone.sum();
        long serverTicks0 = serverTicks();
        Map<String, Long> threads0 = single != null ? single.threadTicks() : Map.of();
        RedisCounters redis0 = nodes != null ? nodes.counters() : null;
        long selfTicks0 = ServerProcess.cpuTicks(self);
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(seconds);
        long issued = 0;
        long starved = 0;
        while (true) {
            long now = System.nanoTime();
            if (now >= end) {
                break;
            }
            long due = (long) ((now - start) / 1e9 * closesPerSecond);
            while (issued < due) {
                Session s = idle.poll();
                if (s == null) {
                    starved += due - issued; // every user is mid-cycle: the offered rate cannot be met
                    issued = due;
                    break;
                }
                issued++;
                fleet.closeClean(s);
            }
            Thread.sleep(2);
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        long events = fleet.statusEvents.sum() - events0;
        // deliveries caused by this step's closes may land just after it: count them with the step
        Thread.sleep(200);
        long eventsTail = fleet.statusEvents.sum() - events0;
        Histogram off = offlineLatency.getIntervalHistogram();
        Histogram on = onlineLatency.getIntervalHistogram();
        RedisCounters redis1 = nodes != null ? nodes.counters() : null;
        double serverCpu = (serverTicks() - serverTicks0) / (double) ServerProcess.CLOCK_TICKS_PER_SECOND
                / ((System.nanoTime() - start) / 1e9) * 100;
        double selfCpu = (ServerProcess.cpuTicks(self) - selfTicks0) / (double) ServerProcess.CLOCK_TICKS_PER_SECOND
                / ((System.nanoTime() - start) / 1e9) * 100;
        ObjectNode s = Report.JSON.createObjectNode();
        if (single != null) {
            s.set("server_busiest_threads", ServerProcess.busiestThreads(threads0, single.threadTicks(),
                    (System.nanoTime() - start) / 1e9, 6));
        } else {
            s.set("redis", redis1.since(redis0, cluster.nodes));
        }
        s.put("offered_deliveries_per_second", rate);
        s.put("offered_closes_per_second", closesPerSecond);
        s.put("seconds", elapsed);
        s.put("closes_issued", issued - starved);
        s.put("closes_starved", starved);
        s.put("cycles_completed", cyclesDone.sum() - cycles0);
        s.put("deliveries", events);
        s.put("deliveries_per_second", events / elapsed);
        s.put("deliveries_with_tail", eventsTail);
        s.set("offline_latency_ms", Report.percentilesMs(off));
        s.set("online_latency_ms", Report.percentilesMs(on));
        s.put("server_cpu_percent", serverCpu);
        s.put("bench_cpu_percent", selfCpu);
        ObjectNode ol = (ObjectNode) s.get("offline_latency_ms");
        if (!record) {
            return s;
        }
        report.row((double) rate, events / elapsed, (issued - starved) / elapsed, ol.path("p50").asDouble(Double.NaN),
                ol.path("p90").asDouble(Double.NaN), ol.path("p99").asDouble(Double.NaN),
                ol.path("p999").asDouble(Double.NaN), ol.path("max").asDouble(Double.NaN),
                s.path("online_latency_ms").path("p99").asDouble(Double.NaN), serverCpu, selfCpu);
        log("offered %,d/s: %,.0f deliveries/s, p99 %.1f ms", rate, events / elapsed, ol.path("p99").asDouble(Double.NaN));
        if (nodes != null) {
            JsonNode r = s.path("redis");
            log("  redis: %,.0f status changes/s, %.1f commands and %.0f + %.0f bytes (in + out) per change,"
                    + " %,.0f commands/s per node, Redis CPU %.0f %% of a core", r.path("status_changes_per_second")
                    .asDouble(), r.path("commands_per_status_change").asDouble(), r.path("bytes_in_per_status_change")
                    .asDouble(), r.path("bytes_out_per_status_change").asDouble(),
                    r.path("commands_per_second_per_node").asDouble(), r.path("redis_cpu_percent_of_one_core").asDouble());
        }
        if (events == 0) {
            broken.add("no deliveries at offered " + rate + "/s");
        }
        return s;
    }

    /** CPU ticks of the server, or of all the cluster's nodes together. */
    private long serverTicks() throws java.io.IOException {
        return single != null ? single.cpuTicks() : nodes.nodeCpuTicks();
    }

    private void summarize() {
        double best = 0;
        double p99At100k = Double.NaN;
        double bestUnderTarget = 0;
        for (var s : report.root.path("steps")) {
            double d = s.path("deliveries_per_second").asDouble();
            double p99 = s.path("offline_latency_ms").path("p99").asDouble(Double.NaN);
            best = Math.max(best, d);
            if (p99 <= TARGET_P99_MS) {
                bestUnderTarget = Math.max(bestUnderTarget, d);
            }
            if (s.path("offered_deliveries_per_second").asDouble() == TARGET_P99_AT) {
                p99At100k = p99;
            }
        }
        ObjectNode sum = report.root.putObject("summary");
        sum.put("max_deliveries_per_second", best);
        sum.put("max_deliveries_per_second_with_p99_under_50ms", bestUnderTarget);
        if (!Double.isNaN(p99At100k)) {
            sum.put("p99_ms_at_100k_offered", p99At100k);
        }
        sum.put("target_deliveries_met", best >= TARGET_DELIVERIES);
        sum.put("target_p99_met", !Double.isNaN(p99At100k) && p99At100k <= TARGET_P99_MS);
        report.note(String.format("max %,.0f deliveries/s (target %,.0f: %s); p99 at 100k offered: %s ms (target 50: %s)",
                best, TARGET_DELIVERIES, best >= TARGET_DELIVERIES ? "met" : "MISSED",
                Double.isNaN(p99At100k) ? "not reached" : Report.format(p99At100k),
                sum.path("target_p99_met").asBoolean() ? "met" : "MISSED"));
    }

    /** Reopens each closed session at once and puts it back in line when welcomed; times every receipt. */
    private final class Cycler implements Fleet.Listener {
        @Override
        public void closing(Session s, long nanos) {
            closedAt.set(s.user, nanos);
        }

        @Override
        public void closed(Session s, boolean wasOpen, long nanos) {
            if (s.closing) {
                // a cycle the bench started: reopen at once, also after the ramp ended
                openedAt.set(s.user, System.nanoTime());
                fleet.connect(s);
            } else if (!wasOpen && closedAt.get(s.user) != 0) {
                // the server closed it before its welcome (say a token check that failed under load): retry
                handshakeCloses.increment();
                s.loop.schedule(() -> fleet.connect(s), 100, TimeUnit.MILLISECONDS);
            }
        }

        @Override
        public void connectFailed(Session s, Throwable cause) {
            if (closedAt.get(s.user) != 0) {
                s.loop.schedule(() -> fleet.connect(s), 100, TimeUnit.MILLISECONDS);
            }
        }

        @Override
        public void welcomed(Session s, long nanos) {
            if (closedAt.get(s.user) != 0) {
                cyclesDone.increment();
                idle.add(s);
            }
        }

        @Override
        public void status(Session receiver, int user, boolean online, long version, long nanos) {
            if (user < 0 || user >= closedAt.length()) {
                return;
            }
            long t = online ? openedAt.get(user) : closedAt.get(user);
            if (t != 0 && nanos > t) {
                (online ? onlineLatency : offlineLatency).recordValue(Math.min(nanos - t, TimeUnit.SECONDS.toNanos(120)));
            }
        }
    }
}
