package dev.presence.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * N idle authenticated sessions held with the default heartbeat: heap after a full GC and RSS per session
 * (deltas against the same server before the sessions came, after a warm-up by other users), idle CPU, pings
 * answered, false offline events.
 */
@Command(name = "density", mixinStandardHelpOptions = true,
        description = "Memory and idle CPU per idle session, at one or more N.")
final class DensityCommand extends Scenario {

    static final double TARGET_HEAP = 2.5 * 1024;
    static final double TARGET_RSS = 4 * 1024;
    static final double TARGET_CPU_PER_10K = 2.0;
    static final long HEAP_16G = 16L << 30;

    @Option(names = {"-n", "--sessions"}, split = ",", paramLabel = "N",
            description = "Session counts, e.g. 1000,5000,10000,19000 (default 19000; quick 300).")
    List<Integer> sessions;

    @Option(names = "--hold", paramLabel = "SECONDS", description = "How long sessions are held idle while CPU,"
            + " pings and offline events are counted (default 120; quick 6).")
    Integer hold;

    @Option(names = "--heartbeat-interval", paramLabel = "DURATION",
            description = "Server heartbeat interval (default: the server's, 20s; quick 2s so pings are seen).")
    String heartbeatInterval;

    @Option(names = "--per-process", paramLabel = "N", description = "Sockets per generator process before"
            + " the load is split over child processes (default: open files limit - " + Limits.RESERVED_FILES + ").")
    Integer perProcess;

    @Option(names = "--profile", paramLabel = "SECONDS", description = "After the idle CPU was measured, record"
            + " the server with JFR for this long and list where its idle CPU goes (default 0: off).")
    int profileSeconds;

    @Option(names = "--nmt", description = "Run the server with -XX:NativeMemoryTracking=summary and report which"
            + " JVM memory areas (heap, GC, threads, Netty's direct memory under Other, ...) grow per session.")
    boolean nmt;

    @Option(names = "--histogram-top", defaultValue = "15", description = "Server classes listed per session.")
    int histogramTop;

    @Override
    String name() {
        return "density";
    }

    @Override
    void run() throws Exception {
        List<Integer> ns = sessions != null ? sessions : List.of(common.quick ? 300 : 19_000);
        int holdSeconds = hold != null ? hold : common.quick ? 6 : 120;
        String interval = heartbeatInterval != null ? heartbeatInterval : common.quick ? "2s" : null;
        String xmx = common.xmx != null ? common.xmx : "2g";
        int per = perProcess != null ? perProcess : Limits.socketsPerProcess();
        report.root.put("hold_seconds", holdSeconds);
        report.root.put("heartbeat_interval", interval == null ? "20s (server default)" : interval);
        report.root.put("server_xmx", xmx);
        ObjectNode targets = report.root.putObject("targets");
        targets.put("heap_bytes_per_session", TARGET_HEAP);
        targets.put("rss_bytes_per_session", TARGET_RSS);
        targets.put("idle_cpu_percent_per_10k", TARGET_CPU_PER_10K);
        ArrayNode runs = report.root.putArray("runs");
        if (nmt) {
            report.root.put("nmt", true);
        }
        report.header("N", "open", "gen procs", "heap/session", "RSS/session", "idle CPU %", "CPU %/10k",
                "pings", "answered", "false offline", "16 GB heap holds");
        for (int n : ns) {
            runs.add(runOne(n, holdSeconds, interval, xmx, per));
        }
        Path png = Plots.densityPlot(report.root, common.resultsDir(), stampOf(report));
        if (png != null) {
            report.root.put("plot", png.toString());
            report.note("plot: " + png);
        }
    }

    static String stampOf(Report report) {
        return report.root.path("started_at").asText().substring(0, 10);
    }

    private ObjectNode runOne(int n, int holdSeconds, String interval, String xmx, int per) throws Exception {
        Path dir = work.resolve("n" + n);
        Path data = dir.resolve("data");
        log("N=%d: provisioning users, tokens, threads", n);
        long t0 = System.nanoTime();
        int w = warmUpSessions(n);
        List<String> all = Provisioner.provision(data, n + w);
        List<String> tokens = all.subList(0, n);
        Path tokenFile = dir.resolve("tokens.txt");
        Provisioner.writeTokens(tokenFile, tokens);
        double provisionSeconds = (System.nanoTime() - t0) / 1e9;
        List<String> flags = new ArrayList<>();
        if (interval != null) {
            flags.add("--heartbeat-interval");
            flags.add(interval);
        }
        ObjectNode r = Report.JSON.createObjectNode();
        r.put("sessions", n);
        r.put("provision_seconds", provisionSeconds);
        int port = common.freePort();
        try (ServerProcess server = startServer(port, data, xmx,
                nmt ? List.of("-XX:NativeMemoryTracking=summary") : List.of(), flags,
                dir.resolve("server.log"))) {
            // warm up the upgrade, auth and welcome paths (class loading, JIT) before the baseline, with users of
            // their own: the measured sessions find nothing of theirs cached (tokens, rows)
            warmUp(port, all, n, w);
            Thread.sleep(4_000); // past the offline grace of the warm-up sessions
            long heap0 = server.heapAfterFullGc();
            long rss0 = server.rssBytes();
            Map<String, long[]> histo0 = server.classHistogram();
            Map<String, Long> nmt0 = nmt ? server.nativeMemory() : Map.of();
            log("N=%d: baseline heap %,d B, RSS %,d B; connecting", n, heap0, rss0);
            long c0 = System.nanoTime();
            try (Generators gens = Generators.start(port, tokens, tokenFile, n, per, common.threads)) {
                double connectSeconds = (System.nanoTime() - c0) / 1e9;
                ObjectNode s0 = gens.stats();
                int open = s0.path("open").asInt();
                log("N=%d: %d open in %.1f s over %d generator process(es)", n, open, connectSeconds, gens.processes());
                Thread.sleep(common.quick ? 1_000 : 10_000); // settle: connect-time GC and JIT calm down
                ObjectNode s1 = gens.stats();
                long ticks1 = server.cpuTicks();
                long h0 = System.nanoTime();
                Thread.sleep(holdSeconds * 1000L);
                long ticks2 = server.cpuTicks();
                double heldSeconds = (System.nanoTime() - h0) / 1e9;
                ObjectNode s2 = gens.stats();
                Map<String, Double> metrics = server.metrics();
                if (profileSeconds > 0) {
                    Path jfr = dir.resolve("idle.jfr");
                    Profiler.start(server, jfr);
                    Thread.sleep(profileSeconds * 1000L);
                    r.set("server_idle_cpu_profile", Profiler.stop(server, jfr, 15));
                }
                long heap1 = server.heapAfterFullGc();
                long rss1 = server.rssBytes();
                Map<String, long[]> histo1 = server.classHistogram();
                if (nmt) {
                    Map<String, Long> nmt1 = server.nativeMemory();
                    ObjectNode areas = r.putObject("server_committed_bytes_per_session_by_area");
                    nmt1.forEach((area, bytes) -> areas.put(area,
                            (bytes - nmt0.getOrDefault(area, 0L)) / (double) Math.max(1, s2.path("open").asInt())));
                }
                int serverFiles = Limits.openFiles(server.pid());

                int openEnd = s2.path("open").asInt();
                double heapPer = (heap1 - heap0) / (double) openEnd;
                double rssPer = (rss1 - rss0) / (double) openEnd;
                double cpuPercent = (ticks2 - ticks1) / (double) ServerProcess.CLOCK_TICKS_PER_SECOND / heldSeconds * 100;
                double cpuPer10k = cpuPercent * 10_000.0 / openEnd;
                long pings = s2.path("pings").asLong() - s1.path("pings").asLong();
                long pongs = s2.path("pongs").asLong() - s1.path("pongs").asLong();
                long falseOffline = s2.path("offline").asLong();
                double stale = ServerProcess.metric(metrics, "presence_stale_connections_total");
                r.put("open_after_connect", open);
                r.put("open_at_end", openEnd);
                r.put("generator_processes", gens.processes());
                r.put("connect_seconds", connectSeconds);
                r.put("held_seconds", heldSeconds);
                r.put("server_heap_baseline_bytes", heap0);
                r.put("server_heap_bytes", heap1);
                r.put("server_rss_baseline_bytes", rss0);
                r.put("server_rss_bytes", rss1);
                r.put("heap_bytes_per_session", heapPer);
                r.put("rss_bytes_per_session", rssPer);
                r.put("idle_cpu_percent_of_one_core", cpuPercent);
                r.put("idle_cpu_percent_per_10k_sessions", cpuPer10k);
                r.put("pings_received", pings);
                r.put("pings_answered", pongs);
                r.put("pings_expected_about", interval == null ? openEnd * heldSeconds / 20.0
                        : openEnd * heldSeconds / Durations.seconds(interval));
                r.put("false_offline_events", falseOffline);
                r.put("server_closes", s2.path("server_closes").asLong());
                r.put("server_stale_connections", stale);
                r.put("server_sessions_metric", ServerProcess.metric(metrics, "presence_sessions"));
                r.put("server_open_files", serverFiles);
                r.put("sessions_16gb_heap_holds", heapPer > 0 ? (long) (HEAP_16G / heapPer) : -1);
                String limit = s2.hasNonNull("limit") ? s2.get("limit").asText() : server.limitInLog();
                if (limit != null) {
                    r.put("limit_hit", limit);
                    report.note("N=" + n + ": " + limit);
                }
                if (s2.has("last_failure")) {
                    r.put("last_failure", s2.get("last_failure").asText());
                }
                ArrayNode top = r.putArray("server_classes_per_session");
                histo1.entrySet().stream()
                        .map(e -> Map.entry(e.getKey(), e.getValue()[1] - histo0.getOrDefault(e.getKey(), new long[2])[1]))
                        .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()))
                        .limit(histogramTop)
                        .forEach(e -> {
                            long[] now = histo1.get(e.getKey());
                            long[] before = histo0.getOrDefault(e.getKey(), new long[2]);
                            top.addObject().put("class", e.getKey())
                                    .put("bytes_per_session", e.getValue() / (double) openEnd)
                                    .put("instances_per_session", (now[0] - before[0]) / (double) openEnd);
                        });
                report.row(n, openEnd, gens.processes(), bytes(heapPer), bytes(rssPer), cpuPercent, cpuPer10k,
                        pings, pongs, falseOffline, r.path("sessions_16gb_heap_holds").asLong());
                if (open < n) {
                    String why = limit != null ? limit : s0.path("last_failure").asText("unknown failure");
                    report.note("N=" + n + ": only " + open + " of " + n + " sessions opened: " + why);
                    if (common.quick) {
                        broken.add("only " + open + " of " + n + " sessions opened: " + why);
                    }
                }
                if (common.quick && (pongs == 0 || openEnd == 0)) {
                    broken.add("no pings answered while holding " + openEnd + " sessions");
                }
                if (falseOffline > 0) {
                    report.note("N=" + n + ": " + falseOffline + " FALSE OFFLINE events while idle");
                }
            }
        }
        return r;
    }

    /**
     * Sessions that connect and leave before the baseline is taken. Enough that the connection paths are compiled
     * (C2 compiles a method after some thousands of calls): the code cache then grows before the baseline, not
     * after it, where ~10 MB of compiled code once looked like half a kilobyte per session at N = 19,000.
     */
    static int warmUpSessions(int n) {
        return Math.min(n, 5_000);
    }

    /** Connects users {@code n .. n + w - 1} (tokens {@code all}) and closes them again. */
    private void warmUp(int port, List<String> all, int n, int w) throws InterruptedException {
        try (Fleet fleet = new Fleet("127.0.0.1", port, 1, 200, 1, new Fleet.Listener() { })) {
            List<Session> s = new ArrayList<>();
            for (int u = n; u < n + w; u++) {
                s.add(fleet.newSession(u, all.get(u), n + w));
            }
            fleet.connectAll(s, 100, 120_000);
        }
    }

    static String bytes(double b) {
        return Double.isNaN(b) ? "-" : String.format("%,.0f B", b);
    }
}
