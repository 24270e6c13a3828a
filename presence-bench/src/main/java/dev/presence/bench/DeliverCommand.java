package dev.presence.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongFunction;

/**
 * What one delivery costs the presence server against the least a JVM can spend on it: the same fleet of
 * sessions is held by the bare Netty {@link BaselineServer} and by the presence server (one after the other,
 * same parameters), and each is asked to write an app event to audiences of 10 .. 10,000 recipients at rising
 * rates. Per step: server CPU (process total, /proc ticks) per delivery received, deliveries per second
 * achieved, and send-to-receipt latency (the body carries {@code sent_at_nanos}, stamped when the request is
 * written; this one process sends and receives).
 */
@Command(name = "deliver", mixinStandardHelpOptions = true,
        description = "CPU per delivery of app events: presence against a bare Netty WebSocket baseline.")
final class DeliverCommand extends Scenario {

    static final double TARGET_RATIO = 1.3;
    static final String EVENT_TYPE = "bench.tick";

    @Option(names = "--audiences", split = ",", paramLabel = "RECIPIENTS",
            description = "Recipients per event, one series each (default 10,100,1000,10000; quick 10,50).")
    List<Integer> audiences;

    @Option(names = {"-n", "--sessions"}, paramLabel = "N",
            description = "Sessions, one per user (default: the largest audience; quick 100).")
    Integer sessions;

    @Option(names = "--rates", split = ",", paramLabel = "DELIVERIES_PER_S",
            description = "Offered deliveries per second (events/s x audience), one step each (default"
                    + " 20000,50000,100000,200000,400000; quick 2000,5000).")
    List<Integer> rates;

    @Option(names = "--step", paramLabel = "SECONDS", description = "Length of each step (default 10; quick 2).")
    Integer step;

    @Option(names = "--warmup", paramLabel = "SECONDS",
            description = "Unrecorded step at the first rate before each audience's steps, so the JIT has"
                    + " compiled the paths (default 10; quick 1).")
    Integer warmup;

    @Option(names = "--servers", split = ",", defaultValue = "baseline,presence", paramLabel = "baseline|presence",
            description = "Which servers, in this order (default ${DEFAULT-VALUE}).")
    List<String> servers;

    @Option(names = "--target", defaultValue = "users", paramLabel = "users|thread",
            description = "How an event names its audience: users = user_ids lists (both servers get the same"
                    + " bodies); thread = presence thread_id / baseline group (presence then makes the audience a"
                    + " thread, whose members all see each other's status: only for audiences up to ~1,000)."
                    + " Default ${DEFAULT-VALUE}.")
    String target;

    @Option(names = "--ids-per-request", defaultValue = "1000", paramLabel = "K",
            description = "With --target users, an event to more recipients goes as several requests of at most"
                    + " K ids, the same for both servers (default ${DEFAULT-VALUE}; the server API's bodies are"
                    + " capped at 64 KiB).")
    int idsPerRequest;

    @Option(names = "--poster-connections", defaultValue = "4", paramLabel = "C",
            description = "Keep-alive HTTP connections that post events (default ${DEFAULT-VALUE}).")
    int posterConnections;

    @Option(names = "--stop-p99-ms", defaultValue = "1000", paramLabel = "MS",
            description = "Stop rising once a step's p99 exceeds this (default ${DEFAULT-VALUE}).")
    double stopP99Ms;

    private final Recorder latency = new Recorder(TimeUnit.SECONDS.toNanos(60), 3);
    private final LongAdder received = new LongAdder();

    @Override
    String name() {
        return "deliver";
    }

    @Override
    void run() throws Exception {
        List<Integer> sizes = audiences != null ? audiences
                : common.quick ? List.of(10, 50) : List.of(10, 100, 1_000, 10_000);
        int n = sessions != null ? sessions : common.quick ? 100 : sizes.stream().mapToInt(i -> i).max().orElse(10);
        List<Integer> steps = rates != null ? rates : common.quick ? List.of(2_000, 5_000)
                : List.of(20_000, 50_000, 100_000, 200_000, 400_000);
        int stepSeconds = step != null ? step : common.quick ? 2 : 10;
        int warm = warmup != null ? warmup : common.quick ? 1 : 10;
        String xmx = common.xmx != null ? common.xmx : "2g";
        if (!target.equals("users") && !target.equals("thread")) {
            throw new IllegalArgumentException("--target must be users or thread, not " + target);
        }
        for (int a : sizes) {
            if (a > n) {
                throw new IllegalArgumentException("audience " + a + " > " + n + " sessions");
            }
        }
        if (n > Limits.socketsPerProcess()) {
            throw new IllegalArgumentException("open files limit " + Limits.openFilesLimit() + ": " + n
                    + " sessions do not fit in one generator process");
        }
        report.root.put("sessions", n);
        report.root.put("step_seconds", stepSeconds);
        report.root.put("warmup_seconds", warm);
        report.root.put("server_xmx", xmx);
        report.root.put("target", target);
        report.root.put("ids_per_request", idsPerRequest);
        report.root.put("event_type", EVENT_TYPE);
        sizes.forEach(report.root.putArray("audiences")::add);
        steps.forEach(report.root.putArray("offered_deliveries_per_second")::add);
        report.root.putObject("targets").put("presence_cpu_per_delivery_at_most_times_baseline", TARGET_RATIO);
        report.root.put("cpu_measure", "server process user+system ticks (/proc/<pid>/stat, 10 ms) over the step"
                + " and its tail, divided by the deliveries received; net = the same less the server's idle CPU"
                + " measured just before the audience's steps");
        ObjectNode results = report.root.putObject("servers");
        for (String kind : servers) {
            if (!kind.equals("baseline") && !kind.equals("presence")) {
                throw new IllegalArgumentException("--servers takes baseline and/or presence, not " + kind);
            }
            results.set(kind, runServer(kind, n, sizes, steps, stepSeconds, warm, xmx));
        }
        compare(sizes);
        Path png = Plots.deliverPlot(report.root, common.resultsDir(), DensityCommand.stampOf(report));
        if (png != null) {
            report.root.put("plot", png.toString());
            report.note("plot: " + png);
        }
    }

    private ObjectNode runServer(String kind, int n, List<Integer> sizes, List<Integer> steps, int stepSeconds,
                                 int warm, String xmx) throws Exception {
        ObjectNode out = Report.JSON.createObjectNode();
        boolean presence = kind.equals("presence");
        int port = common.freePort();
        Path log = work.resolve(kind + ".log");
        ServerApiClient api = presence ? new ServerApiClient(work.resolve("keys")) : null;
        ServerProcess server;
        if (presence) {
            List<String> jvm = new ArrayList<>(common.serverJvmOptions);
            server = ServerProcess.start(common.serverJar(), jvm, port, work.resolve("data"), xmx, api.serverFlags(),
                    log);
        } else {
            server = ServerProcess.startBaseline(common.serverJvmOptions, port, xmx, log);
        }
        List<String> tokens = new ArrayList<>(n);
        try {
            server = provision(server, api, presence, n, sizes, port, xmx, log, tokens, out);
        } catch (Exception | Error e) {
            server.close();
            throw e;
        }
        if (server == null) {
            return out;
        }
        try (ServerProcess s = server) {
            Listener listener = new Listener();
            try (Fleet fleet = new Fleet("127.0.0.1", port, common.threads, 0, Math.max(4, Fleet.sourcesFor(n)),
                    listener);
                 EventPoster poster = new EventPoster("127.0.0.1", port, posterConnections,
                         presence ? api.authorization() : null)) {
                List<Session> all = new ArrayList<>(n);
                for (int u = 0; u < n; u++) {
                    Session session = fleet.newSession(u, tokens.get(u), new int[0]);
                    if (!presence) {
                        session.wsQuery = "user=" + Ring.userId(u) + "&groups=" + groupsOf(u, sizes);
                    }
                    all.add(session);
                }
                long c0 = System.nanoTime();
                int open = fleet.connectAll(all, 500, 180_000);
                log("%s: %d of %d open in %.1f s", kind, open, n, (System.nanoTime() - c0) / 1e9);
                if (open < n) {
                    throw new IllegalStateException(kind + ": only " + open + " of " + n + " sessions opened: "
                            + (fleet.limitHit != null ? fleet.limitHit : fleet.lastFailure));
                }
                Thread.sleep(common.quick ? 500 : 5_000); // the connect burst's GC and write-behind
                ArrayNode perAudience = out.putArray("audiences");
                for (int a : sizes) {
                    ObjectNode series = perAudience.addObject();
                    series.put("audience", a);
                    double idle = idleCpuPercent(s, common.quick ? 1 : 3);
                    series.put("server_idle_cpu_percent", idle);
                    List<LongFunction<String>> bodies = bodies(presence, a);
                    String path = presence ? "/api/server/events" : "/deliver";
                    if (warm > 0) {
                        runStep(kind, s, poster, path, bodies, a, steps.get(0), warm, idle, false);
                    }
                    ArrayNode stepsOut = series.putArray("steps");
                    double best = 0;
                    for (int rate : steps) {
                        ObjectNode st = runStep(kind, s, poster, path, bodies, a, rate, stepSeconds, idle, true);
                        stepsOut.add(st);
                        best = Math.max(best, st.path("deliveries_per_second").asDouble());
                        if (st.path("saturated").asBoolean()) {
                            break;
                        }
                    }
                    series.put("saturation_deliveries_per_second", best);
                }
                out.put("server_closes", fleet.serverCloses.sum());
                out.put("poster_reconnects", poster.reconnects.sum());
                out.put("open_at_end", fleet.openSessions.get());
                if (poster.rejected.sum() > 0) {
                    out.put("rejected_requests", poster.rejected.sum());
                    out.put("last_rejection", poster.lastRejection);
                    broken.add(kind + ": " + poster.rejected.sum() + " event requests rejected, e.g. "
                            + poster.lastRejection);
                }
            }
        }
        return out;
    }

    /**
     * Provisions the presence side (nothing for the baseline) and fills {@code tokens}; returns the server to
     * measure (a fresh one when it had to be restarted on built-in users), or null when the presence side cannot
     * run with this jar (said in {@code out}).
     */
    private ServerProcess provision(ServerProcess server, ServerApiClient api, boolean presence, int n,
                                    List<Integer> sizes, int port, String xmx, Path log, List<String> tokens,
                                    ObjectNode out) throws Exception {
        if (presence) {
            api.target(server.base());
            String missing = api.unavailable();
            if (missing != null) {
                server.close();
                out.put("skipped", missing);
                broken.add("presence side not measured: " + missing);
                log("presence: %s", missing);
                return null;
            }
            if (api.acceptsJwt(Ring.userId(1))) {
                out.put("auth", "app JWTs (HS256, --jwt-secret-file)");
                long t0 = System.nanoTime();
                api.putUsers(n, 16);
                if (target.equals("thread")) {
                    for (int a : sizes) {
                        api.putThread(group(a), range(a));
                    }
                }
                log("presence: provisioned %d users in %.1f s", n, (System.nanoTime() - t0) / 1e9);
                for (int u = 0; u < n; u++) {
                    tokens.add(api.jwt(Ring.userId(u), Duration.ofHours(6)));
                }
            } else {
                // a jar with the server API but without app JWTs: the same ids as built-in users with login
                // tokens; the events (what is measured) take the same path through the server API
                if (target.equals("thread")) {
                    server.close();
                    throw new IllegalStateException("this server jar does not accept app JWTs, so its users cannot be"
                            + " members of app threads: run with --target users");
                }
                server.close();
                Path data = work.resolve("data-tokens");
                tokens.addAll(Provisioner.provisionUsersOnly(data, n));
                server = ServerProcess.start(common.serverJar(), new ArrayList<>(common.serverJvmOptions), port, data,
                        xmx, api.serverFlags(), log);
                out.put("auth", "built-in login tokens (this server jar does not accept app JWTs yet); events through"
                        + " the server API as with JWTs");
                report.note("presence: the jar does not accept app JWTs: sessions log in with built-in tokens of the"
                        + " same user ids; the events go through POST /api/server/events all the same");
                log("presence: no app JWTs in this jar: %d built-in users with tokens instead", n);
            }
        } else {
            for (int u = 0; u < n; u++) {
                tokens.add("unused");
            }
        }
        return server;
    }

    /** The server's CPU while the fleet idles, as percent of one core. */
    private static double idleCpuPercent(ServerProcess s, int seconds) throws Exception {
        long t0 = s.cpuTicks();
        long start = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        double elapsed = (System.nanoTime() - start) / 1e9;
        return (s.cpuTicks() - t0) / (double) ServerProcess.CLOCK_TICKS_PER_SECOND / elapsed * 100;
    }

    private ObjectNode runStep(String kind, ServerProcess server, EventPoster poster, String path,
                               List<LongFunction<String>> bodies, int audience, int rate, int seconds, double idle,
                               boolean record) throws Exception {
        double eventsPerSecond = rate / (double) audience;
        latency.getIntervalHistogram();
        long received0 = received.sum();
        long dropped0 = poster.dropped.sum();
        long lost0 = poster.lost.sum();
        long ticks0 = server.cpuTicks();
        long self = ProcessHandle.current().pid();
        long selfTicks0 = ServerProcess.cpuTicks(self);
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(seconds);
        long events = 0;
        while (true) {
            long now = System.nanoTime();
            if (now >= end) {
                break;
            }
            long due = (long) ((now - start) / 1e9 * eventsPerSecond);
            while (events < due) {
                events++;
                for (LongFunction<String> body : bodies) {
                    poster.post(path, body);
                }
            }
            Thread.sleep(1);
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        long inWindow = received.sum() - received0;
        // the tail: what was sent in the step arrives, and its CPU counts with the step
        poster.drain(10_000);
        long notSent = poster.dropped.sum() - dropped0 + poster.lost.sum() - lost0;
        long expected = (events * bodies.size() - notSent) * audience / bodies.size();
        long tailDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (received.sum() - received0 < expected && System.nanoTime() < tailDeadline) {
            Thread.sleep(5);
        }
        long deliveries = received.sum() - received0;
        double total = (System.nanoTime() - start) / 1e9;
        long ticks = server.cpuTicks() - ticks0;
        double selfCpu = (ServerProcess.cpuTicks(self) - selfTicks0) / (double) ServerProcess.CLOCK_TICKS_PER_SECOND
                / total * 100;
        Histogram h = latency.getIntervalHistogram();
        double cpuSeconds = ticks / (double) ServerProcess.CLOCK_TICKS_PER_SECOND;
        double usPerDelivery = deliveries == 0 ? Double.NaN : cpuSeconds * 1e6 / deliveries;
        double netSeconds = Math.max(0, cpuSeconds - idle / 100 * total);
        double netUs = deliveries == 0 ? Double.NaN : netSeconds * 1e6 / deliveries;
        double achieved = inWindow / elapsed;
        ObjectNode s = Report.JSON.createObjectNode();
        s.put("offered_deliveries_per_second", rate);
        s.put("offered_events_per_second", eventsPerSecond);
        s.put("seconds", elapsed);
        s.put("seconds_with_tail", total);
        s.put("events", events);
        s.put("requests_dropped_by_generator", poster.dropped.sum() - dropped0);
        s.put("requests_lost_with_their_connection", poster.lost.sum() - lost0);
        s.put("deliveries_expected", expected);
        s.put("deliveries", deliveries);
        s.put("deliveries_in_window", inWindow);
        s.put("deliveries_per_second", achieved);
        s.put("server_cpu_seconds", cpuSeconds);
        s.put("server_cpu_percent", cpuSeconds / total * 100);
        s.put("cpu_us_per_delivery", usPerDelivery);
        s.put("cpu_us_per_delivery_net", netUs);
        s.put("bench_cpu_percent", selfCpu);
        s.set("latency_ms", Report.percentilesMs(h));
        double p99 = h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(99) / 1e6;
        boolean saturated = achieved < 0.9 * rate || deliveries < expected || p99 > stopP99Ms
                || poster.dropped.sum() > dropped0;
        s.put("saturated", saturated);
        if (record) {
            log("%s audience %,d offered %,d/s: %,.0f/s achieved, %.2f us/delivery (net %.2f), p99 %.1f ms%s", kind,
                    audience, rate, achieved, usPerDelivery, netUs, p99, saturated ? " (saturated)" : "");
            if (deliveries == 0) {
                broken.add(kind + ": no deliveries at audience " + audience + ", " + rate + "/s");
            }
        }
        return s;
    }

    /** The request bodies of one event (several with --target users and an audience above --ids-per-request). */
    private List<LongFunction<String>> bodies(boolean presence, int audience) {
        String suffixStart = "\"event\":{\"type\":\"" + EVENT_TYPE + "\",\"sent_at_nanos\":";
        List<LongFunction<String>> out = new ArrayList<>();
        if (target.equals("thread")) {
            String prefix = "{\"" + (presence ? "thread_id" : "group") + "\":\"" + group(audience) + "\","
                    + suffixStart;
            out.add(t -> prefix + t + "}}");
            return out;
        }
        for (int from = 0; from < audience; from += idsPerRequest) {
            StringBuilder b = new StringBuilder("{\"user_ids\":[");
            for (int u = from; u < Math.min(audience, from + idsPerRequest); u++) {
                b.append(u == from ? "" : ",").append('"').append(Ring.userId(u)).append('"');
            }
            String prefix = b.append("],").append(suffixStart).toString();
            out.add(t -> prefix + t + "}}");
        }
        return out;
    }

    static String group(int audience) {
        return "a" + audience;
    }

    /** The groups user {@code u} is in: audience {@code A} is users 0..A-1. */
    static String groupsOf(int u, List<Integer> sizes) {
        StringBuilder b = new StringBuilder();
        for (int a : sizes) {
            if (u < a) {
                b.append(b.length() == 0 ? "" : ",").append(group(a));
            }
        }
        return b.toString();
    }

    private static int[] range(int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) {
            r[i] = i;
        }
        return r;
    }

    /** The side-by-side table: per audience, each server's cost at the highest rate both ran unsaturated. */
    private void compare(List<Integer> sizes) {
        JsonNode base = report.root.path("servers").path("baseline");
        JsonNode pres = report.root.path("servers").path("presence");
        report.header("audience", "presence us/dlv", "baseline us/dlv", "ratio", "at offered/s",
                "presence max/s", "baseline max/s", "presence p50/p99 ms", "baseline p50/p99 ms", "met");
        ArrayNode table = report.root.putArray("comparison");
        for (int i = 0; i < sizes.size(); i++) {
            JsonNode b = base.path("audiences").path(i);
            JsonNode p = pres.path("audiences").path(i);
            ObjectNode row = table.addObject();
            row.put("audience", sizes.get(i));
            JsonNode bs = commonStep(b, p, false);
            JsonNode ps = commonStep(b, p, true);
            double pu = ps.path("cpu_us_per_delivery").asDouble(Double.NaN);
            double bu = bs.path("cpu_us_per_delivery").asDouble(Double.NaN);
            double ratio = pu / bu;
            int at = (bs.isMissingNode() ? ps : bs).path("offered_deliveries_per_second").asInt();
            row.put("at_offered_deliveries_per_second", at);
            row.put("presence_cpu_us_per_delivery", pu);
            row.put("baseline_cpu_us_per_delivery", bu);
            row.put("ratio", ratio);
            row.put("presence_cpu_us_per_delivery_net", ps.path("cpu_us_per_delivery_net").asDouble(Double.NaN));
            row.put("baseline_cpu_us_per_delivery_net", bs.path("cpu_us_per_delivery_net").asDouble(Double.NaN));
            row.put("presence_saturation_deliveries_per_second",
                    p.path("saturation_deliveries_per_second").asDouble(Double.NaN));
            row.put("baseline_saturation_deliveries_per_second",
                    b.path("saturation_deliveries_per_second").asDouble(Double.NaN));
            row.put("target_met", ratio <= TARGET_RATIO);
            report.row(sizes.get(i), pu, bu, ratio, (long) at,
                    p.path("saturation_deliveries_per_second").asDouble(Double.NaN),
                    b.path("saturation_deliveries_per_second").asDouble(Double.NaN),
                    Report.format(ps.path("latency_ms").path("p50").asDouble(Double.NaN)) + " / "
                            + Report.format(ps.path("latency_ms").path("p99").asDouble(Double.NaN)),
                    Report.format(bs.path("latency_ms").path("p50").asDouble(Double.NaN)) + " / "
                            + Report.format(bs.path("latency_ms").path("p99").asDouble(Double.NaN)),
                    Double.isNaN(ratio) ? "-" : ratio <= TARGET_RATIO ? "yes" : "NO");
        }
        report.note("us/dlv = server CPU microseconds per delivery (process total), at the highest offered rate at"
                + " which both servers kept up (else the first step); ratio = presence / baseline, target <= "
                + TARGET_RATIO);
    }

    /**
     * The step of one server at the highest offered rate where neither server saturated (both must have
     * run it), else its first step; a missing server gives an empty node.
     */
    private static JsonNode commonStep(JsonNode base, JsonNode pres, boolean presence) {
        JsonNode mine = presence ? pres : base;
        JsonNode other = presence ? base : pres;
        JsonNode pick = mine.path("steps").path(0);
        for (JsonNode s : mine.path("steps")) {
            if (s.path("saturated").asBoolean()) {
                continue;
            }
            int rate = s.path("offered_deliveries_per_second").asInt();
            boolean otherOk = other.path("steps").isMissingNode() || other.path("steps").size() == 0;
            for (JsonNode o : other.path("steps")) {
                if (o.path("offered_deliveries_per_second").asInt() == rate && !o.path("saturated").asBoolean()) {
                    otherOk = true;
                }
            }
            if (otherOk) {
                pick = s;
            }
        }
        return pick;
    }

    /** Counts app events received and times them from their send stamp. */
    private final class Listener implements Fleet.Listener {
        @Override
        public void appEvent(Session s, long sentAtNanos, long nanos) {
            received.increment();
            if (nanos > sentAtNanos) {
                latency.recordValue(Math.min(nanos - sentAtNanos, TimeUnit.SECONDS.toNanos(60)));
            }
        }
    }
}
