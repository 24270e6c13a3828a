package dev.presence.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * Where one Redis stops: the engine's own {@code attach} and {@code detach} scripts (as the nodes send them,
 * same keys and arguments) driven straight at a private redis-server, pipelined over a few connections, as
 * fast as it takes them. Every call is a status change (a user's only session starts, then ends). Reports
 * calls and Redis commands per second, Redis CPU (it runs commands on one thread: the figure that matters on
 * a shared machine is status changes per second per full core), bytes per change, and {@code INFO memory} per
 * online session and per outbox entry.
 */
@Command(name = "redis-capacity", mixinStandardHelpOptions = true,
        description = "Cluster mode: how many status changes per second one Redis serves, driving the engine's"
                + " attach/detach scripts at a private redis-server; Redis memory per session.")
final class RedisCapacityCommand extends Scenario {

    private static final String PREFIX = "presence";
    private static final int PARTITIONS = 16;
    private static final String INCARNATION = "bench#capacity.1";

    @Option(names = {"-n", "--users"}, paramLabel = "N",
            description = "Users, one session each (default 100000; quick 2000).")
    Integer users;

    @Option(names = "--seconds", paramLabel = "S", description = "Length of the saturation run (default 20; quick 3).")
    Integer seconds;

    @Option(names = "--connections", paramLabel = "C", defaultValue = "2",
            description = "Client connections, each pipelined (default ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = "--pipeline", paramLabel = "DEPTH", defaultValue = "64",
            description = "Calls in flight per connection (default ${DEFAULT-VALUE}).")
    int depth;

    private String attachSha;

    @Override
    String name() {
        return "redis-capacity";
    }

    @Override
    void run() throws Exception {
        int n = users != null ? users : common.quick ? 2_000 : 100_000;
        int duration = seconds != null ? seconds : common.quick ? 3 : 20;
        report.root.put("users", n);
        report.root.put("connections", connections);
        report.root.put("pipeline_depth", depth);
        report.root.put("partitions", PARTITIONS);
        try (RedisProcess redis = RedisProcess.start(work.resolve("redis.log"))) {
            report.root.put("redis_version", redis.info("server").get("redis_version"));
            String attach = redis.command("SCRIPT", "LOAD", script("attach"));
            String detach = redis.command("SCRIPT", "LOAD", script("detach"));
            attachSha = attach;

            // memory: every user online once (outbox kept tiny), then the outbox alone
            long mem0 = redis.infoLong("memory", "used_memory");
            drive(redis, List.of(attach), n, 0, "10", 1, new AtomicBoolean(), new LongAdder());
            long mem1 = redis.infoLong("memory", "used_memory");
            long outboxEntries = 0;
            for (int p = 0; p < PARTITIONS; p++) {
                outboxEntries += Long.parseLong(redis.command("XLEN", tag(p) + "outbox"));
            }
            ObjectNode memory = report.root.putObject("memory");
            memory.put("used_memory_before", mem0);
            memory.put("used_memory_all_online", mem1);
            memory.put("outbox_entries_then", outboxEntries);
            memory.put("bytes_per_online_session", (mem1 - mem0) / (double) n);
            // outbox: n more flips (everyone ends) with a long stream kept, then per entry
            drive(redis, List.of(detach), n, 0, "1000000", 1, new AtomicBoolean(), new LongAdder());
            long streamBytes = 0;
            long streamEntries = 0;
            for (int p = 0; p < PARTITIONS; p++) {
                streamBytes += Long.parseLong(redis.command("MEMORY", "USAGE", tag(p) + "outbox", "SAMPLES", "0"));
                streamEntries += Long.parseLong(redis.command("XLEN", tag(p) + "outbox"));
            }
            memory.put("used_memory_all_offline_again", redis.infoLong("memory", "used_memory"));
            memory.put("outbox_bytes", streamBytes);
            memory.put("outbox_entries", streamEntries);
            memory.put("bytes_per_outbox_entry", streamBytes / (double) Math.max(1, streamEntries));
            memory.put("note", "bytes_per_online_session: used_memory growth when every user attached one session"
                    + " (status entry, the user's sessions hash, the node's sessions field; outbox capped at ~10"
                    + " entries per partition meanwhile); bytes_per_outbox_entry: MEMORY USAGE of the outbox streams"
                    + " after every user's end was appended (the engine caps them at ~100,000 per partition)");
            for (int p = 0; p < PARTITIONS; p++) {
                redis.command("XTRIM", tag(p) + "outbox", "MAXLEN", "0");
            }

            // saturation: each connection flips its own users on and off, pipelined
            RedisCounters r0 = counters(redis);
            AtomicBoolean stop = new AtomicBoolean();
            LongAdder calls = new LongAdder();
            List<Thread> threads = new ArrayList<>();
            List<Exception> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
            for (int c = 0; c < connections; c++) {
                int from = c;
                Thread t = new Thread(() -> {
                    try {
                        drive(redis, List.of(attach, detach), n, from, "100000", connections, stop, calls);
                    } catch (Exception e) {
                        failures.add(e);
                    }
                }, "redis-driver-" + c);
                t.start();
                threads.add(t);
            }
            Thread.sleep(duration * 1000L);
            stop.set(true);
            for (Thread t : threads) {
                t.join(30_000);
            }
            RedisCounters r1 = counters(redis);
            if (!failures.isEmpty()) {
                throw failures.get(0);
            }
            ObjectNode sat = r1.since(r0, 1);
            sat.remove("nodes");
            sat.remove("commands_per_second_per_node");
            sat.put("script_calls", calls.sum());
            report.root.set("saturation", sat);
            report.header("status changes/s", "commands/s", "commands/change", "bytes in/change", "bytes out/change",
                    "Redis CPU %", "changes/s per full core", "bytes/online session", "bytes/outbox entry");
            report.row(sat.path("status_changes_per_second").asDouble(), sat.path("commands_per_second").asDouble(),
                    sat.path("commands_per_status_change").asDouble(), sat.path("bytes_in_per_status_change").asDouble(),
                    sat.path("bytes_out_per_status_change").asDouble(), sat.path("redis_cpu_percent_of_one_core").asDouble(),
                    sat.path("status_changes_per_second_at_one_full_core").asDouble(),
                    memory.path("bytes_per_online_session").asDouble(), memory.path("bytes_per_outbox_entry").asDouble());
            if (sat.path("status_changes").asLong() == 0) {
                broken.add("no status change in the saturation run");
            }
        }
    }

    private static RedisCounters counters(RedisProcess redis) throws IOException {
        var stats = redis.info("stats");
        return new RedisCounters(System.nanoTime(), redis.commandCalls(),
                Long.parseLong(stats.get("total_net_input_bytes")), Long.parseLong(stats.get("total_net_output_bytes")),
                redis.cpuTicks());
    }

    /**
     * Calls the scripts in turn for users {@code from, from + step, ...} (all of them once per script, then
     * again while not stopped when there are two scripts), at most {@code depth} in flight.
     */
    private void drive(RedisProcess redis, List<String> shas, int n, int from, String maxLen, int step,
                       AtomicBoolean stop, LongAdder calls) throws IOException {
        boolean loop = shas.size() > 1;
        try (Socket socket = new Socket("127.0.0.1", redis.port)) {
            socket.setTcpNoDelay(true);
            OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
            InputStream in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
            int inFlight = 0;
            int round = 0;
            do {
                String sha = shas.get(round % shas.size());
                boolean attach = sha.equals(attachSha);
                for (int u = from; u < n; u += step) {
                    if (loop && stop.get()) {
                        break;
                    }
                    write(out, call(sha, u, maxLen, attach));
                    inFlight++;
                    if (inFlight >= depth) {
                        out.flush();
                        skipReply(in);
                        inFlight--;
                        calls.increment();
                    }
                }
                round++;
            } while (loop && !stop.get());
            out.flush();
            while (inFlight-- > 0) {
                skipReply(in);
                calls.increment();
            }
        }
    }

    private String[] call(String sha, int u, String maxLen, boolean attach) {
        String user = Ring.userId(u);
        int p = Math.floorMod(user.hashCode(), PARTITIONS);
        String t = tag(p);
        String field = "capacity/s" + u;
        long now = System.currentTimeMillis();
        List<String> a = new ArrayList<>(List.of("EVALSHA", sha, "7", t + "status", t + "grace", t + "outbox",
                t + "seq", t + "fenced", t + "s:" + user, t + "n:" + INCARNATION, user, field, INCARNATION,
                Long.toString(now), maxLen));
        if (attach) {
            a.addAll(List.of("1", t + "n:"));
        } else {
            a.addAll(List.of("0", Long.toString(now))); // a clean end: no grace, last heard now
        }
        return a.toArray(String[]::new);
    }

    private static String tag(int p) {
        return PREFIX + ":{" + p + "}:";
    }

    private static String script(String name) throws IOException {
        return read("common") + "\n" + read(name);
    }

    private static String read(String name) throws IOException {
        try (InputStream in = RedisCapacityCommand.class.getResourceAsStream("/dev/presence/cluster/lua/" + name + ".lua")) {
            if (in == null) {
                throw new IllegalStateException("script " + name + ".lua not on the class path (presence-cluster)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static void write(OutputStream out, String[] args) throws IOException {
        StringBuilder b = new StringBuilder().append('*').append(args.length).append("\r\n");
        for (String a : args) {
            b.append('$').append(a.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(a).append("\r\n");
        }
        out.write(b.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Reads one RESP reply of any shape; an error reply is a failure of the bench. */
    private static void skipReply(InputStream in) throws IOException {
        String head = line(in);
        switch (head.charAt(0)) {
            case '+', ':' -> {
            }
            case '-' -> throw new IOException("redis: " + head.substring(1));
            case '$' -> {
                int len = Integer.parseInt(head.substring(1));
                if (len >= 0) {
                    in.readNBytes(len + 2);
                }
            }
            case '*' -> {
                int len = Integer.parseInt(head.substring(1));
                for (int i = 0; i < len; i++) {
                    skipReply(in);
                }
            }
            default -> throw new IOException("unexpected reply: " + head);
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = in.read()) != -1 && c != '\r') {
            b.append((char) c);
        }
        in.read();
        return b.toString();
    }
}
