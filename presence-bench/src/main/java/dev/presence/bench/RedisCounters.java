package dev.presence.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Map;
import java.util.TreeMap;

/**
 * What Redis had counted at one moment ({@code INFO commandstats}, {@code INFO stats} bytes, its CPU), so two
 * of them give the cost of what happened between: Redis commands and bytes per status change and per second.
 * A status change (flip) is one {@code XADD} to a partition's outbox, the script that makes it appends it, so
 * the {@code xadd} calls between two snapshots are the flips (nothing else appends while the bench runs:
 * memberships do not change).
 */
record RedisCounters(long nanos, Map<String, Long> calls, long bytesIn, long bytesOut, long cpuTicks) {

    long totalCalls() {
        return calls.values().stream().mapToLong(Long::longValue).sum();
    }

    /** The cost of what happened since {@code before}, with {@code nodes} nodes running. */
    ObjectNode since(RedisCounters before, int nodes) {
        double seconds = (nanos - before.nanos) / 1e9;
        long flips = calls.getOrDefault("xadd", 0L) - before.calls.getOrDefault("xadd", 0L);
        long commands = totalCalls() - before.totalCalls();
        long in = bytesIn - before.bytesIn;
        long out = bytesOut - before.bytesOut;
        double cpu = (cpuTicks - before.cpuTicks) / (double) ServerProcess.CLOCK_TICKS_PER_SECOND / seconds;
        ObjectNode o = Report.JSON.createObjectNode();
        o.put("seconds", seconds);
        o.put("nodes", nodes);
        o.put("status_changes", flips);
        o.put("status_changes_per_second", flips / seconds);
        o.put("commands", commands);
        o.put("commands_per_second", commands / seconds);
        o.put("commands_per_second_per_node", commands / seconds / nodes);
        o.put("commands_per_status_change", flips > 0 ? commands / (double) flips : Double.NaN);
        o.put("bytes_in_per_status_change", flips > 0 ? in / (double) flips : Double.NaN);
        o.put("bytes_out_per_status_change", flips > 0 ? out / (double) flips : Double.NaN);
        o.put("bytes_in_per_second", in / seconds);
        o.put("bytes_out_per_second", out / seconds);
        o.put("redis_cpu_percent_of_one_core", cpu * 100);
        // Redis runs commands on one thread: at 100 % of a core it would serve this mix at this rate
        o.put("commands_per_second_at_one_full_core", cpu > 0 ? commands / seconds / cpu : Double.NaN);
        o.put("status_changes_per_second_at_one_full_core", cpu > 0 ? flips / seconds / cpu : Double.NaN);
        ObjectNode by = o.putObject("calls_by_command");
        Map<String, Long> sorted = new TreeMap<>();
        calls.forEach((k, v) -> {
            long d = v - before.calls.getOrDefault(k, 0L);
            if (d > 0) {
                sorted.put(k, d);
            }
        });
        sorted.forEach(by::put);
        if (flips > 0) {
            ObjectNode per = o.putObject("calls_per_status_change_by_command");
            sorted.forEach((k, v) -> per.put(k, v / (double) flips));
        }
        return o;
    }
}
