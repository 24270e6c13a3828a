package dev.presence.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/** A scenario's output: a table for people and {@code <scenario>-<date>.json} for tools and plots. */
final class Report {

    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH-mm-ss'Z'");

    final String scenario;
    final ObjectNode root = JSON.createObjectNode();
    private final List<String[]> rows = new ArrayList<>();
    private String[] header;
    private final List<String> notes = new ArrayList<>();

    Report(String scenario, boolean quick) {
        this.scenario = scenario;
        root.put("scenario", scenario);
        root.put("quick", quick);
        root.put("started_at", ZonedDateTime.now(ZoneOffset.UTC).toString());
        ObjectNode machine = root.putObject("machine");
        machine.put("nproc", Runtime.getRuntime().availableProcessors());
        machine.put("memory_bytes", totalMemory());
        machine.put("jdk", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        machine.put("open_files_limit", Limits.openFilesLimit());
    }

    private static long totalMemory() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize();
        }
        return -1;
    }

    void header(String... columns) {
        header = columns;
    }

    void row(Object... cells) {
        String[] r = new String[cells.length];
        for (int i = 0; i < cells.length; i++) {
            r[i] = format(cells[i]);
        }
        rows.add(r);
    }

    void note(String line) {
        notes.add(line);
        root.withArray("notes").add(line);
    }

    static String format(Object o) {
        if (o instanceof Double d) {
            if (d.isNaN()) {
                return "-";
            }
            double a = Math.abs(d);
            return a >= 100 ? String.format("%,.0f", d) : a >= 10 ? String.format("%.1f", d) : String.format("%.2f", d);
        }
        if (o instanceof Long || o instanceof Integer) {
            return String.format("%,d", ((Number) o).longValue());
        }
        return String.valueOf(o);
    }

    void print(PrintStream out) {
        out.println();
        out.println("== " + scenario + " ==");
        if (header != null) {
            int[] width = new int[header.length];
            for (int i = 0; i < header.length; i++) {
                width[i] = header[i].length();
            }
            for (String[] r : rows) {
                for (int i = 0; i < r.length && i < width.length; i++) {
                    width[i] = Math.max(width[i], r[i].length());
                }
            }
            out.println(line(header, width));
            StringBuilder sep = new StringBuilder("|");
            for (int w : width) {
                sep.append("-".repeat(w + 2)).append('|');
            }
            out.println(sep);
            for (String[] r : rows) {
                out.println(line(r, width));
            }
        }
        for (String n : notes) {
            out.println("  " + n);
        }
    }

    private static String line(String[] cells, int[] width) {
        StringBuilder b = new StringBuilder("|");
        for (int i = 0; i < width.length; i++) {
            String c = i < cells.length ? cells[i] : "";
            b.append(' ').append(c).append(" ".repeat(width[i] - c.length())).append(" |");
        }
        return b.toString();
    }

    /** Writes {@code <dir>/<scenario>[-quick]-<date>.json} and returns its path. */
    Path write(Path dir) throws IOException {
        Files.createDirectories(dir);
        root.put("finished_at", ZonedDateTime.now(ZoneOffset.UTC).toString());
        String stamp = ZonedDateTime.now(ZoneOffset.UTC).format(STAMP);
        boolean quick = root.path("quick").asBoolean();
        Path file = dir.resolve(scenario + (quick ? "-quick-" : "-") + stamp + ".json");
        JSON.writeValue(file.toFile(), root);
        return file;
    }

    /** Percentiles of a histogram of nanoseconds, in milliseconds. */
    static ObjectNode percentilesMs(Histogram h) {
        ObjectNode o = JSON.createObjectNode();
        o.put("count", h.getTotalCount());
        if (h.getTotalCount() == 0) {
            return o;
        }
        o.put("p50", h.getValueAtPercentile(50) / 1e6);
        o.put("p90", h.getValueAtPercentile(90) / 1e6);
        o.put("p99", h.getValueAtPercentile(99) / 1e6);
        o.put("p999", h.getValueAtPercentile(99.9) / 1e6);
        o.put("max", h.getMaxValue() / 1e6);
        o.put("mean", h.getMean() / 1e6);
        return o;
    }
}
