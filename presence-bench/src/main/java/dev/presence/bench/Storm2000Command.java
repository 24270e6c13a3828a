package dev.presence.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * One thread of 2,000 members, all online; then every member disconnects and reconnects within one second
 * (client side, each at a random moment of the second; the server keeps running). Measures the time until
 * every client's view of the thread is right again (all members online, each at the newest version anyone
 * saw), the frames and bytes that took per client and in total ({@code status_batch} counted apart), the
 * server's peak RSS and heap (sampled) and closes the server made (slow consumers, by close code and by its
 * {@code presence_slow_consumers} metric).
 */
@Command(name = "storm2000", mixinStandardHelpOptions = true,
        description = "Every member of one 2,000-member thread reconnects within a second: time to right views,"
                + " frames and bytes, server memory at the peak, slow-consumer closes.")
final class Storm2000Command extends Scenario {

    static final double TARGET_SECONDS = 10;
    private static final int BUCKETS = 1_200; // 120 s of 100 ms

    @Option(names = {"-n", "--members"}, paramLabel = "N",
            description = "Members of the thread (default 2000; quick 100).")
    Integer members;

    @Option(names = "--window", defaultValue = "1.0", paramLabel = "SECONDS",
            description = "Every member disconnects once at a random moment of this window and reconnects at once"
                    + " (default ${DEFAULT-VALUE}).")
    double window;

    @Option(names = "--disconnect", defaultValue = "close", paramLabel = "close|drop",
            description = "close: a clean close frame (the server sends offline at once, then online again:"
                    + " N(N-1) status deliveries each way); drop: the socket closes without a frame (a network"
                    + " blip: a reconnect within the offline grace sends no status at all). Default ${DEFAULT-VALUE}.")
    String disconnect;

    @Option(names = "--converge-timeout", defaultValue = "60", paramLabel = "SECONDS",
            description = "Give up waiting for right views after this long (default ${DEFAULT-VALUE}).")
    int convergeTimeout;

    private Fleet fleet;
    private volatile boolean storming;
    /** While everyone first connects: a session the server closes is opened again (and counted). */
    private volatile boolean settingUp;
    private volatile long startNanos;
    private final AtomicIntegerArray welcomesPer100ms = new AtomicIntegerArray(BUCKETS);
    /** Per member: 0 before its storm disconnect, 1 disconnected, 2 welcomed again. */
    private AtomicIntegerArray stage;
    private final java.util.concurrent.atomic.AtomicInteger back = new java.util.concurrent.atomic.AtomicInteger();

    @Override
    String name() {
        return "storm2000";
    }

    @Override
    void run() throws Exception {
        int n = members != null ? members : common.quick ? 100 : 2_000;
        String xmx = common.xmx != null ? common.xmx : "2g";
        if (!disconnect.equals("close") && !disconnect.equals("drop")) {
            throw new IllegalArgumentException("--disconnect must be close or drop, not " + disconnect);
        }
        report.root.put("members", n);
        report.root.put("window_seconds", window);
        report.root.put("disconnect", disconnect);
        report.root.put("server_xmx", xmx);
        report.root.putObject("targets").put("converged_seconds", TARGET_SECONDS).put("slow_consumer_closes", 0);
        Path data = work.resolve("data");
        log("provisioning %d users in one thread", n);
        List<String> tokens = Provisioner.provisionOneThread(data, n);
        stage = new AtomicIntegerArray(n);
        try (ServerProcess server = startServer(common.freePort(), data, xmx, List.of(), List.of(),
                work.resolve("server.log"));
             Fleet f = new Fleet("127.0.0.1", server.port, common.threads, 0, Math.max(4, Fleet.sourcesFor(n) * 2),
                     new Reconnector())) {
            fleet = f;
            List<Session> all = new ArrayList<>(n);
            for (int u = 0; u < n; u++) {
                int[] others = new int[n - 1];
                for (int i = 0, k = 0; i < n; i++) {
                    if (i != u) {
                        others[k++] = i;
                    }
                }
                all.add(f.newSession(u, tokens.get(u), others));
            }
            long c0 = System.nanoTime();
            settingUp = true;
            int open = f.connectAll(all, 200, 180_000);
            log("%d of %d open in %.1f s", open, n, (System.nanoTime() - c0) / 1e9);
            startNanos = System.nanoTime();
            // sessions the server closed or refused are retried meanwhile, so only a lasting shortfall fails
            double initial = waitRight(all, n, 120);
            if (Double.isNaN(initial)) {
                throw new IllegalStateException("the views never became right after the first connect: "
                        + f.openSessions.get() + " of " + n + " open, " + f.completeViews.get() + " complete ("
                        + (f.limitHit != null ? f.limitHit : "last failure: " + f.lastFailure) + ")");
            }
            settingUp = false;
            report.root.put("server_closes_while_connecting", f.serverCloses.sum());
            if (f.serverCloses.sum() > 0) {
                report.note("while all " + n + " first connected the server closed " + f.serverCloses.sum()
                        + " sessions (codes " + f.serverCloseCodes + "); they were opened again");
            }
            f.serverCloseCodes.clear();
            report.root.put("initial_connect_right_after_seconds", (System.nanoTime() - c0) / 1e9);
            Thread.sleep(common.quick ? 1_000 : 3_000); // the connect burst's write-behind and GC

            resetCounters(all);
            long frames0 = f.framesReceived.sum();
            long bytes0 = f.bytesReceived.sum();
            long batch0 = f.batchFrames.sum();
            long status0 = f.statusFrames.sum();
            long welcomeBytes0 = f.welcomeBytes.sum();
            long closes0 = f.serverCloses.sum();
            Map<String, Double> metrics0 = server.metrics();
            long ticks0 = server.cpuTicks();
            long rssBefore = server.rssBytes();
            MemorySampler sampler = new MemorySampler(server);
            sampler.start();

            log("storm: %d members %s and reconnect within %.1f s", n, disconnect, window);
            SplittableRandom random = new SplittableRandom(13);
            storming = true;
            startNanos = System.nanoTime();
            for (Session s : all) {
                long at = (long) (random.nextDouble() * window * 1e9);
                s.loop.schedule(() -> {
                    stage.set(s.user, 1);
                    if (disconnect.equals("close")) {
                        f.closeClean(s);
                    } else {
                        f.drop(s);
                    }
                }, at, TimeUnit.NANOSECONDS);
            }
            double converged = waitRight(all, n, convergeTimeout);
            double cpuSeconds = (server.cpuTicks() - ticks0) / (double) ServerProcess.CLOCK_TICKS_PER_SECOND;
            // late frames (an offline sent after its member was back) would make a right view wrong again
            Thread.sleep(common.quick ? 1_000 : 3_000);
            boolean stillRight = !Double.isNaN(converged) && f.openSessions.get() == n && f.completeViews.get() == n
                    && versionsCurrent(all, n);
            sampler.stop();
            storming = false;
            Map<String, Double> metrics1 = server.metrics();

            ObjectNode r = report.root.putObject("storm");
            r.put("converged_seconds", converged);
            r.put("still_right_after_quiet", stillRight);
            r.put("all_back", f.openSessions.get());
            r.put("reconnected", back.get());
            r.put("complete_views", f.completeViews.get());
            r.put("target_met", !Double.isNaN(converged) && converged <= TARGET_SECONDS);
            r.put("server_cpu_seconds", cpuSeconds);
            long frames = f.framesReceived.sum() - frames0;
            long bytes = f.bytesReceived.sum() - bytes0;
            r.put("frames_total", frames);
            r.put("bytes_total", bytes);
            r.put("status_batch_frames", f.batchFrames.sum() - batch0);
            r.put("user_status_changed_frames", f.statusFrames.sum() - status0);
            r.put("welcome_bytes", f.welcomeBytes.sum() - welcomeBytes0);
            long[] perFrames = new long[n];
            long[] perBytes = new long[n];
            CountDownLatch read = new CountDownLatch(n);
            for (int i = 0; i < n; i++) {
                Session s = all.get(i);
                int idx = i;
                s.loop.execute(() -> {
                    perFrames[idx] = s.framesReceived;
                    perBytes[idx] = s.bytesReceived;
                    read.countDown();
                });
            }
            read.await(10, TimeUnit.SECONDS);
            r.set("frames_per_client", distribution(perFrames));
            r.set("bytes_per_client", distribution(perBytes));
            r.put("server_rss_before_bytes", rssBefore);
            r.put("server_rss_peak_bytes", sampler.peakRss.get());
            r.put("server_heap_used_peak_bytes", sampler.peakHeap.get());
            r.put("server_memory_samples", sampler.samples.get());
            long unasked = f.serverCloses.sum() - closes0;
            r.put("server_closes", unasked);
            ObjectNode codes = r.putObject("server_close_codes");
            f.serverCloseCodes.forEach((code, count) -> codes.put(Integer.toString(code), count.sum()));
            double slow = ServerProcess.metric(metrics1, "presence_slow_consumers_total")
                    - ServerProcess.metric(metrics0, "presence_slow_consumers_total");
            r.put("slow_consumer_closes", slow);
            ArrayNode w = r.putArray("welcomes_per_100ms");
            double shown = Double.isNaN(converged) ? convergeTimeout : converged;
            int last = (int) Math.min(BUCKETS - 1, Math.ceil(shown * 10));
            for (int i = 0; i <= last; i++) {
                w.add(welcomesPer100ms.get(i));
            }
            report.header("members", "disconnect", "right after s", "frames", "MB", "batches", "frames/client p50",
                    "KB/client p50", "RSS peak MB", "heap peak MB", "server closes", "slow consumers", "met");
            report.row((long) n, disconnect, converged, frames, bytes / 1048576.0, f.batchFrames.sum() - batch0,
                    r.path("frames_per_client").path("p50").asDouble(),
                    r.path("bytes_per_client").path("p50").asDouble() / 1024,
                    sampler.peakRss.get() / 1048576.0, sampler.peakHeap.get() / 1048576.0, unasked, slow,
                    r.path("target_met").asBoolean() ? "yes" : "NO");
            if (Double.isNaN(converged)) {
                broken.add("views not right within " + convergeTimeout + " s: " + f.openSessions.get() + "/" + n
                        + " back, " + f.completeViews.get() + " complete views");
            }
            if (!Double.isNaN(converged) && !stillRight) {
                broken.add("views were right at " + Report.format(converged)
                        + " s but wrong again after a quiet period");
            }
            if (unasked > 0 || slow > 0) {
                report.note("the server closed " + unasked + " healthy clients (codes " + codes + "), slow-consumer"
                        + " metric +" + slow);
            }
        }
    }

    /** Zeroes the per-session frame and byte counts, each on its own loop. */
    private static void resetCounters(List<Session> all) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(all.size());
        for (Session s : all) {
            s.loop.execute(() -> {
                s.framesReceived = 0;
                s.bytesReceived = 0;
                done.countDown();
            });
        }
        done.await(10, TimeUnit.SECONDS);
    }

    /**
     * Seconds since {@link #startNanos} until every session is open, every view shows every member online
     * and each at the highest version any view holds for that member; NaN after {@code timeoutSeconds}.
     */
    private double waitRight(List<Session> all, int n, int timeoutSeconds) throws InterruptedException {
        long deadline = startNanos + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        if (!storming) {
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        }
        while (System.nanoTime() < deadline) {
            // in the storm, only once every member has been away and is back: before that the views are old
            if ((!storming || back.get() == n) && fleet.openSessions.get() == n && fleet.completeViews.get() == n) {
                long seen = System.nanoTime();
                if (versionsCurrent(all, n)) {
                    return (seen - startNanos) / 1e9;
                }
            }
            Thread.sleep(20);
        }
        return Double.NaN;
    }

    /** Every view holds, for every member, the highest version any view holds (read on each session's loop). */
    private static boolean versionsCurrent(List<Session> all, int n) throws InterruptedException {
        AtomicLongArray max = new AtomicLongArray(n);
        CountDownLatch pass1 = new CountDownLatch(all.size());
        for (Session s : all) {
            s.loop.execute(() -> {
                for (int i = 0; i < s.watched.length; i++) {
                    long v = s.version[i];
                    int u = s.watched[i];
                    max.accumulateAndGet(u, v, Math::max);
                }
                pass1.countDown();
            });
        }
        if (!pass1.await(10, TimeUnit.SECONDS)) {
            return false;
        }
        AtomicLong behind = new AtomicLong();
        CountDownLatch pass2 = new CountDownLatch(all.size());
        for (Session s : all) {
            s.loop.execute(() -> {
                for (int i = 0; i < s.watched.length; i++) {
                    if (s.version[i] != max.get(s.watched[i]) || !s.online[i] || !s.open) {
                        behind.incrementAndGet();
                        break;
                    }
                }
                pass2.countDown();
            });
        }
        return pass2.await(10, TimeUnit.SECONDS) && behind.get() == 0;
    }

    private static ObjectNode distribution(long[] values) {
        long[] v = values.clone();
        Arrays.sort(v);
        ObjectNode o = Report.JSON.createObjectNode();
        long sum = 0;
        for (long x : v) {
            sum += x;
        }
        o.put("min", v[0]);
        o.put("p50", v[v.length / 2]);
        o.put("p99", v[Math.min(v.length - 1, (int) Math.ceil(v.length * 0.99) - 1)]);
        o.put("max", v[v.length - 1]);
        o.put("mean", sum / (double) v.length);
        return o;
    }

    /** Reconnects each member at once after its disconnect; counts welcomes per 100 ms. */
    private final class Reconnector implements Fleet.Listener {
        @Override
        public void welcomed(Session s, long nanos) {
            if (storming && stage.compareAndSet(s.user, 1, 2)) {
                back.incrementAndGet();
            }
            if (storming) {
                long bucket = Math.max(0, (nanos - startNanos) / 100_000_000L);
                welcomesPer100ms.incrementAndGet((int) Math.min(BUCKETS - 1, bucket));
            }
        }

        @Override
        public void closed(Session s, boolean wasOpen, long nanos) {
            if (storming) {
                fleet.connect(s);
            } else if (settingUp && !s.closing) {
                s.loop.schedule(() -> fleet.connect(s), 100, TimeUnit.MILLISECONDS);
            }
        }

        @Override
        public void connectFailed(Session s, Throwable cause) {
            if (storming || settingUp) {
                s.loop.schedule(() -> fleet.connect(s), 100, TimeUnit.MILLISECONDS);
            }
        }
    }

    /** RSS every 100 ms (/proc) and heap in use every second (jcmd GC.heap_info, no GC), keeping the peaks. */
    private static final class MemorySampler {
        final AtomicLong peakRss = new AtomicLong();
        final AtomicLong peakHeap = new AtomicLong();
        final AtomicLong samples = new AtomicLong();
        private final ServerProcess server;
        private volatile boolean running = true;
        private Thread thread;

        MemorySampler(ServerProcess server) {
            this.server = server;
        }

        void start() {
            thread = new Thread(() -> {
                long nextHeap = 0;
                while (running) {
                    try {
                        peakRss.accumulateAndGet(server.rssBytes(), Math::max);
                        if (System.nanoTime() >= nextHeap) {
                            peakHeap.accumulateAndGet(server.heapUsedBytes(), Math::max);
                            nextHeap = System.nanoTime() + 1_000_000_000L;
                        }
                        samples.incrementAndGet();
                        Thread.sleep(100);
                    } catch (InterruptedException e) {
                        return;
                    } catch (Exception e) {
                        // the server is busy or gone: keep the peaks so far
                    }
                }
            }, "memory-sampler");
            thread.setDaemon(true);
            thread.start();
        }

        void stop() throws InterruptedException {
            running = false;
            thread.interrupt();
            thread.join(5_000);
            try {
                peakRss.accumulateAndGet(server.rssBytes(), Math::max);
            } catch (Exception e) {
                // keep what was sampled
            }
        }
    }
}
