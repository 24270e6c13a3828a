package dev.presence.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * N sessions that reconnect with the SDK's {@code Backoff}; the server is killed (SIGKILL) and restarted on
 * the same port and data. Measures the time until every session is back and every watcher's view shows
 * every co-member online, and connect attempts per 100 ms, once with jitter and once without.
 */
@Command(name = "storm", mixinStandardHelpOptions = true,
        description = "Reconnect storm after a server crash and restart, with jitter on and off.")
final class StormCommand extends Scenario {

    static final double TARGET_SECONDS = 45;
    /** A wave holds attempts of at least this share of all sessions ... */
    static final double WAVE_SHARE = 0.5;
    /** ... within at most this many 100 ms buckets ... */
    static final int WAVE_MAX_BUCKETS = 15;
    /** ... with this many silent buckets before the next burst. */
    static final int WAVE_GAP_BUCKETS = 3;
    private static final int BUCKETS = 3_000; // 300 s of 100 ms

    @Option(names = {"-n", "--sessions"}, paramLabel = "N", description = "Sessions (default 19000; quick 300).")
    Integer sessions;

    @Option(names = "--jitter", split = ",", paramLabel = "on|off|FRACTION",
            description = "One kill/restart phase per value (default on,off). on = the SDK default jitter.")
    List<String> jitters;

    @Option(names = "--converge-timeout", defaultValue = "150", paramLabel = "SECONDS",
            description = "Give up waiting for convergence after this long (default ${DEFAULT-VALUE}).")
    int convergeTimeout;

    @Option(names = "--quiet-before-kill", paramLabel = "SECONDS", description = "Idle time before each kill"
            + " (default 5; quick 2.5). The server writes statuses behind every second: with 0 the kill lands"
            + " inside that window and shows what a crash right after a change does to status versions.")
    Double quietBeforeKill;

    private volatile boolean active;
    private volatile long killNanos;
    private volatile AtomicIntegerArray attempts = new AtomicIntegerArray(BUCKETS);
    private volatile AtomicIntegerArray welcomes = new AtomicIntegerArray(BUCKETS);
    private Fleet fleet;

    @Override
    String name() {
        return "storm";
    }

    @Override
    void run() throws Exception {
        int n = sessions != null ? sessions : common.quick ? 300 : 19_000;
        List<String> phases = jitters != null ? jitters : List.of("on", "off");
        String xmx = common.xmx != null ? common.xmx : "2g";
        report.root.put("sessions", n);
        report.root.put("server_xmx", xmx);
        report.root.put("backoff", "dev.presence.client.Backoff.standard(jitter): 1 s doubling to 30 s");
        report.root.putObject("targets").put("converged_seconds", TARGET_SECONDS)
                .put("lockstep_waves_after_the_first_with_jitter", 0)
                .put("wave_definition", "a burst of attempts, bounded by >= 300 ms of silence, in which >= 50% of"
                        + " all sessions attempt within <= 1.5 s");
        int sockets = Limits.socketsPerProcess();
        if (n > sockets) {
            throw new IllegalArgumentException("open files limit " + Limits.openFilesLimit() + " reached: one server"
                    + " process holds at most about " + sockets + " sessions, so a storm against one node is capped there");
        }
        Path data = work.resolve("data");
        log("provisioning %d users", n);
        List<String> tokens = Provisioner.provision(data, n);
        int port = common.freePort();
        SplittableRandom seeds = new SplittableRandom(7);
        try (ServerProcess server = startServer(port, data, xmx, List.of(), List.of(),
                work.resolve("server.log"));
             Fleet f = new Fleet("127.0.0.1", port, common.threads, 0, Math.max(8, Fleet.sourcesFor(n) * 2),
                     new Reconnector())) {
            fleet = f;
            List<Session> all = new ArrayList<>(n);
            for (int u = 0; u < n; u++) {
                Session s = f.newSession(u, tokens.get(u), n);
                all.add(s);
            }
            long c0 = System.nanoTime();
            int open = f.connectAll(all, 500, 180_000);
            log("%d of %d open in %.1f s", open, n, (System.nanoTime() - c0) / 1e9);
            if (open < n) {
                throw new IllegalStateException("only " + open + " of " + n + " sessions opened: "
                        + (f.limitHit != null ? f.limitHit : f.lastFailure));
            }
            waitConverged(n, 60);
            ArrayNode out = report.root.putArray("phases");
            report.header("jitter", "back s", "converged s", "after restart s", "healthy after s", "attempts",
                    "peak/100ms", "peak share", "waves (after 1st)", "regressions", "met");
            for (String phase : phases) {
                double jitter = phase.equals("on") ? dev.presence.client.Backoff.DEFAULT_JITTER
                        : phase.equals("off") ? 0.0 : Double.parseDouble(phase);
                CountDownLatch set = new CountDownLatch(n);
                for (Session s : all) {
                    long seed = seeds.nextLong();
                    s.loop.execute(() -> {
                        s.backoff = BackoffPolicy.sdk(jitter, new SplittableRandom(seed));
                        set.countDown();
                    });
                }
                set.await(30, TimeUnit.SECONDS);
                out.add(runPhase(phase, jitter, n, server));
                Thread.sleep(common.quick ? 500 : 3_000);
            }
            active = false;
        }
        Path png = Plots.stormPlot(report.root, common.resultsDir(), DensityCommand.stampOf(report));
        if (png != null) {
            report.root.put("plot", png.toString());
            report.note("plot: " + png);
        }
    }

    private ObjectNode runPhase(String phase, double jitter, int n, ServerProcess server) throws Exception {
        ObjectNode p0 = Report.JSON.createObjectNode();
        attempts = new AtomicIntegerArray(BUCKETS);
        welcomes = new AtomicIntegerArray(BUCKETS);
        long regressions0 = fleet.versionRegressions.sum();
        long attempts0 = fleet.connectAttempts.sum();
        // quiet period first: the server writes statuses behind every 1 s, so a version seen before this
        // point that comes back lower after the restart is a durability gap, not write-behind lag
        double quiet = quietBeforeKill != null ? quietBeforeKill : common.quick ? 2.5 : 5;
        p0.put("quiet_before_kill_seconds", quiet);
        Thread.sleep((long) (quiet * 1000));
        killNanos = System.nanoTime();
        active = true;
        log("jitter %s: killing the server (SIGKILL)", phase);
        server.kill();
        double down = (System.nanoTime() - killNanos) / 1e9;
        server.restart();
        double healthy = (System.nanoTime() - killNanos) / 1e9;
        log("jitter %s: server healthy again %.1f s after the kill", phase, healthy);
        double[] t = waitConverged(n, convergeTimeout);
        double back = t[0];
        double converged = t[1];
        int last = (int) Math.min(BUCKETS - 1, Math.ceil((Double.isNaN(converged) ? convergeTimeout : converged) * 10) + 10);
        ObjectNode p = p0;
        p.put("jitter", phase);
        p.put("jitter_fraction", jitter);
        p.put("kill_seconds", down);
        p.put("server_healthy_after_seconds", healthy);
        p.put("all_back_seconds", back);
        p.put("converged_seconds", converged);
        p.put("converged_after_restart_seconds", converged - healthy);
        long totalAttempts = fleet.connectAttempts.sum() - attempts0;
        p.put("connect_attempts", totalAttempts);
        p.put("version_regressions", fleet.versionRegressions.sum() - regressions0);
        ArrayNode a = p.putArray("attempts_per_100ms");
        ArrayNode w = p.putArray("welcomes_per_100ms");
        ArrayNode perSecond = p.putArray("connects_per_second");
        int peak = 0;
        int secondSum = 0;
        for (int i = 0; i <= last; i++) {
            int ai = attempts.get(i);
            a.add(ai);
            w.add(welcomes.get(i));
            secondSum += welcomes.get(i);
            if (i % 10 == 9) {
                perSecond.add(secondSum);
                secondSum = 0;
            }
            peak = Math.max(peak, ai);
        }
        int waves = waves(attempts, last, n);
        // the crash itself puts every client's first retry in one window (equal jitter spreads it over 0.5 s);
        // lockstep means the bursts repeat: count those after the first
        int repeatWaves = Math.max(0, waves - (firstBurstIsWave(attempts, last, n) ? 1 : 0));
        double share = peak / (double) n;
        p.put("peak_attempts_per_100ms", peak);
        p.put("peak_share_of_sessions_per_100ms", share);
        p.put("lockstep_waves", waves);
        p.put("lockstep_waves_after_first", repeatWaves);
        boolean met = !Double.isNaN(converged) && converged <= TARGET_SECONDS && (jitter == 0 || repeatWaves == 0);
        p.put("target_met", met);
        report.row(phase, back, converged, converged - healthy, healthy, totalAttempts, peak,
                String.format("%.0f%%", share * 100), waves + " (" + repeatWaves + ")", p.path("version_regressions").asLong(),
                jitter == 0 ? (met ? "yes (45 s)" : "NO") : (met ? "yes" : "NO"));
        if (Double.isNaN(converged)) {
            String why = "not converged within " + convergeTimeout + " s: " + fleet.openSessions.get() + "/" + n
                    + " back, " + fleet.completeViews.get() + " complete views";
            report.note("jitter " + phase + ": " + why);
            broken.add(why);
        }
        if (p.path("version_regressions").asLong() > 0) {
            report.note("jitter " + phase + ": " + p.path("version_regressions").asLong() + " status versions went"
                    + " BACKWARDS across the restart (PROTOCOL.md: strictly increasing, also across restarts); e.g. "
                    + fleet.regressionSample);
            p.put("version_regression_example", fleet.regressionSample);
            fleet.regressionSample = null;
        }
        return p;
    }

    /**
     * Lockstep waves: bursts of attempts (separated by at least {@link #WAVE_GAP_BUCKETS} silent 100 ms
     * buckets) in which at least {@link #WAVE_SHARE} of all sessions attempt within {@link #WAVE_MAX_BUCKETS}.
     * Clients in lockstep retry together and fall silent together (about 1 s, 3 s, 7 s, ... after the kill);
     * with jitter the attempts of one round smear over seconds and merge with the next.
     */
    static int waves(AtomicIntegerArray attempts, int last, int n) {
        int waves = 0;
        int gap = WAVE_GAP_BUCKETS;
        long burst = 0;
        int start = -1;
        int end = -1;
        for (int i = 0; i <= last + WAVE_GAP_BUCKETS; i++) {
            int ai = i <= last ? attempts.get(i) : 0;
            if (ai == 0) {
                gap++;
                if (gap == WAVE_GAP_BUCKETS && burst > 0) {
                    if (burst >= WAVE_SHARE * n && end - start + 1 <= WAVE_MAX_BUCKETS) {
                        waves++;
                    }
                    burst = 0;
                }
            } else {
                if (burst == 0) {
                    start = i;
                }
                gap = 0;
                end = i;
                burst += ai;
            }
        }
        return waves;
    }

    static boolean firstBurstIsWave(AtomicIntegerArray attempts, int last, int n) {
        AtomicIntegerArray first = new AtomicIntegerArray(last + 1);
        int gap = 0;
        boolean started = false;
        for (int i = 0; i <= last; i++) {
            int ai = attempts.get(i);
            if (ai > 0) {
                started = true;
                gap = 0;
                first.set(i, ai);
            } else if (started && ++gap >= WAVE_GAP_BUCKETS) {
                break;
            }
        }
        return waves(first, last, n) == 1;
    }

    /** Seconds since the kill until all sessions are open, and until every view is complete (NaN if never). */
    private double[] waitConverged(int n, int timeoutSeconds) throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        double back = Double.NaN;
        while (System.nanoTime() < deadline) {
            if (Double.isNaN(back) && fleet.openSessions.get() == n) {
                back = (System.nanoTime() - killNanos) / 1e9;
            }
            if (fleet.openSessions.get() == n && fleet.completeViews.get() == n) {
                return new double[] {(System.nanoTime() - killNanos) / 1e9, (System.nanoTime() - killNanos) / 1e9};
            }
            Thread.sleep(20);
        }
        return new double[] {back, Double.NaN};
    }

    private int bucket() {
        return (int) Math.min(BUCKETS - 1, Math.max(0, (System.nanoTime() - killNanos) / 100_000_000L));
    }

    /** Reconnects lost sessions after the SDK's backoff delay; counts attempts and welcomes over time. */
    private final class Reconnector implements Fleet.Listener {
        @Override
        public void welcomed(Session s, long nanos) {
            if (active) {
                welcomes.incrementAndGet(bucket());
            }
        }

        @Override
        public void closed(Session s, boolean wasOpen, long nanos) {
            retryLater(s);
        }

        @Override
        public void connectFailed(Session s, Throwable cause) {
            retryLater(s);
        }

        private void retryLater(Session s) {
            if (!active || s.backoff == null) {
                return;
            }
            long delay = s.backoff.nextDelayMillis();
            s.loop.schedule(() -> {
                if (active) {
                    attempts.incrementAndGet(bucket());
                    fleet.connect(s);
                }
            }, delay, TimeUnit.MILLISECONDS);
        }
    }
}
