package dev.presence.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The server under test as its own process ({@code java -jar presence-server.jar}), measured from outside:
 * heap after a full GC (jcmd GC.run, GC.heap_info), RSS (/proc/pid/status), CPU ticks (/proc/pid/stat),
 * the live class histogram (jcmd GC.class_histogram) and its /metrics.
 */
final class ServerProcess implements AutoCloseable {

    static final long CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on Linux x86_64

    private static final Pattern HEAP_USED = Pattern.compile("heap\\s+total\\s+(\\d+)K,\\s+used\\s+(\\d+)K");
    private static final Pattern HISTO = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    final Path jar;
    final int port;
    final Path dataDir;
    final String xmx;
    final List<String> flags;
    final Path log;
    private Process process;
    /** Extra JVM options for the server, e.g. -XX:NativeMemoryTracking=summary. */
    private final List<String> jvmOptions;
    /** Set when this process is the {@link BaselineServer} (run from this classpath) instead of the jar. */
    private String baselineClasspath;

    private ServerProcess(Path jar, List<String> jvmOptions, int port, Path dataDir, String xmx, List<String> flags,
                          Path log) {
        this.jar = jar;
        this.jvmOptions = List.copyOf(jvmOptions);
        this.port = port;
        this.dataDir = dataDir;
        this.xmx = xmx;
        this.flags = flags;
        this.log = log;
    }

    /** Starts the server and returns once {@code /health} answers. */
    static ServerProcess start(Path jar, List<String> jvmOptions, int port, Path dataDir, String xmx,
                               List<String> flags, Path log) throws IOException, InterruptedException {
        ServerProcess server = new ServerProcess(jar, jvmOptions, port, dataDir, xmx, flags, log);
        server.launch();
        return server;
    }

    /**
     * Starts the bare Netty {@link BaselineServer} from the bench's own classpath, measured the same way as
     * the presence server; returns once {@code /health} answers.
     */
    static ServerProcess startBaseline(List<String> jvmOptions, int port, String xmx, Path log)
            throws IOException, InterruptedException {
        ServerProcess server = new ServerProcess(null, jvmOptions, port, null, xmx, List.of(), log);
        server.baselineClasspath = System.getProperty("java.class.path");
        server.launch();
        return server;
    }

    /** Starts the same server again (same port, same data) after {@link #kill()}; returns once healthy. */
    void restart() throws IOException, InterruptedException {
        launch();
    }

    private void launch() throws IOException, InterruptedException {
        if (baselineClasspath != null) {
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.add("-Xmx" + xmx);
            cmd.addAll(jvmOptions);
            cmd.addAll(List.of("-cp", baselineClasspath, BaselineServer.class.getName(), "--host", "127.0.0.1",
                    "--port", Integer.toString(port)));
            awaitHealthy(new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start());
            return;
        }
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("server jar not found: " + jar + " (build it with ./mvnw -B -q -pl"
                    + " presence-server -am package -DskipTests, or pass --server-jar)");
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx" + xmx);
        cmd.addAll(jvmOptions);
        cmd.add("-jar");
        cmd.add(jar.toString());
        cmd.add("--host");
        cmd.add("127.0.0.1");
        cmd.add("--port");
        cmd.add(Integer.toString(port));
        cmd.add("--data-dir");
        cmd.add(dataDir.toString());
        // thousands of simulated users share a few source addresses and connect in bursts: the per-address
        // cap on connections not yet authenticated is for real clients, not for this load generator
        cmd.add("--max-pending-per-address");
        cmd.add("1000000");
        cmd.addAll(flags);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().put("PRESENCE_LOG_LEVEL", "WARN");
        awaitHealthy(pb.start());
    }

    private void awaitHealthy(Process started) throws InterruptedException {
        process = started;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("server exited with " + process.exitValue() + " at start; see " + log);
            }
            if (healthy()) {
                return;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("server not healthy within 90 s; see " + log);
    }

    boolean healthy() {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base() + "/health"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    String base() {
        return "http://127.0.0.1:" + port;
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process != null && process.isAlive();
    }

    /**
     * Runs a full GC and returns the heap then in use, in bytes: the least of three such readings. A reading also
     * counts what the server's threads allocated between the GC and the question (whole TLABs, megabytes on a busy
     * server), which only ever adds; the least of three is the closest to the live heap.
     */
    long heapAfterFullGc() throws IOException, InterruptedException {
        long least = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            jcmd("GC.run");
            String info = jcmd("GC.heap_info");
            Matcher m = HEAP_USED.matcher(info);
            if (!m.find()) {
                throw new IllegalStateException("cannot read jcmd GC.heap_info: " + info);
            }
            least = Math.min(least, Long.parseLong(m.group(2)) * 1024);
        }
        return least;
    }

    /** Heap in use now, garbage included (jcmd GC.heap_info, no GC), in bytes. */
    long heapUsedBytes() throws IOException, InterruptedException {
        Matcher m = HEAP_USED.matcher(jcmd("GC.heap_info"));
        if (!m.find()) {
            throw new IllegalStateException("cannot read jcmd GC.heap_info");
        }
        return Long.parseLong(m.group(2)) * 1024;
    }

    /** Resident set size, in bytes. */
    long rssBytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        }
        throw new IllegalStateException("no VmRSS for " + pid());
    }

    /** User + system CPU ticks (1/100 s) used so far. */
    long cpuTicks() throws IOException {
        return cpuTicks(pid());
    }

    /** CPU ticks per thread ("name#tid", names as /proc shows them: at most 15 characters). */
    Map<String, Long> threadTicks() {
        Map<String, Long> out = new LinkedHashMap<>();
        java.io.File[] tasks = Path.of("/proc", Long.toString(pid()), "task").toFile().listFiles();
        if (tasks == null) {
            return out;
        }
        for (java.io.File task : tasks) {
            try {
                String stat = Files.readString(task.toPath().resolve("stat"));
                String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                out.put(name + "#" + task.getName(), Long.parseLong(f[11]) + Long.parseLong(f[12]));
            } catch (IOException | RuntimeException e) {
                // the thread ended
            }
        }
        return out;
    }

    /** The busiest threads between two {@link #threadTicks()} readings, as percent of one core. */
    static com.fasterxml.jackson.databind.node.ArrayNode busiestThreads(Map<String, Long> before,
            Map<String, Long> after, double seconds, int top) {
        com.fasterxml.jackson.databind.node.ArrayNode a = Report.JSON.createArrayNode();
        after.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0L)))
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(top)
                .forEach(e -> a.addObject().put("thread", e.getKey())
                        .put("cpu_percent_of_one_core", e.getValue() / (double) CLOCK_TICKS_PER_SECOND / seconds * 100));
        return a;
    }

    /** User + system CPU ticks of any process. */
    static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14, 15)
    }

    /** {@code jcmd GC.class_histogram} (live objects: it runs a full GC): class name to {instances, bytes}. */
    Map<String, long[]> classHistogram() throws IOException, InterruptedException {
        Map<String, long[]> out = new LinkedHashMap<>();
        for (String line : jcmd("GC.class_histogram").split("\n")) {
            Matcher m = HISTO.matcher(line);
            if (m.find()) {
                out.put(m.group(3), new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))});
            }
        }
        return out;
    }

    /** /metrics as name{labels} to value. */
    Map<String, Double> metrics() {
        Map<String, Double> out = new LinkedHashMap<>();
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base() + "/metrics"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            for (String line : r.body().split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                int space = line.lastIndexOf(' ');
                try {
                    out.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
                } catch (NumberFormatException e) {
                    // not a sample
                }
            }
        } catch (IOException e) {
            // leave empty
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return out;
    }

    static double metric(Map<String, Double> metrics, String name) {
        double sum = 0;
        boolean found = false;
        for (Map.Entry<String, Double> e : metrics.entrySet()) {
            String key = e.getKey();
            if (key.equals(name) || key.startsWith(name + "{")) {
                sum += e.getValue();
                found = true;
            }
        }
        return found ? sum : Double.NaN;
    }

    private String jcmd(String command) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process p = new ProcessBuilder(Files.isExecutable(jcmd) ? jcmd.toString() : "jcmd",
                Long.toString(pid()), command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("jcmd " + command + " timed out");
        }
        return new String(out, StandardCharsets.UTF_8);
    }

    /** {@code jcmd VM.native_memory summary}: NMT category to committed bytes (needs NMT on at start). */
    Map<String, Long> nativeMemory() throws IOException, InterruptedException {
        Map<String, Long> out = new LinkedHashMap<>();
        Pattern p = Pattern.compile("^-\\s+(.+?) \\(reserved=\\d+KB, committed=(\\d+)KB\\)");
        Pattern total = Pattern.compile("^Total: reserved=\\d+KB, committed=(\\d+)KB");
        for (String line : jcmd("VM.native_memory summary").split("\n")) {
            Matcher m = p.matcher(line.trim());
            if (m.find()) {
                out.put(m.group(1).trim(), Long.parseLong(m.group(2)) * 1024);
            }
            Matcher t = total.matcher(line.trim());
            if (t.find()) {
                out.put("Total", Long.parseLong(t.group(1)) * 1024);
            }
        }
        return out;
    }

    /** SIGKILL: the server vanishes without closing anything, as in a crash. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM, then SIGKILL if it takes longer than 20 s. */
    @Override
    public void close() {
        if (process == null || !process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    /** Any line of the server's log that says it ran out of file descriptors. */
    String limitInLog() {
        try {
            for (String line : Files.readAllLines(log)) {
                if (line.contains("Too many open files")) {
                    return "open files limit " + Limits.openFilesLimit() + " reached in the server process (it holds"
                            + " about that many sockets; its log: " + line.trim() + ")";
                }
            }
        } catch (IOException e) {
            // no log
        }
        return null;
    }
}
