package dev.presence.bench;

import picocli.CommandLine.Mixin;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * A scenario: provisions its users, runs the server as a process, drives the fleet, and reports. Exit code 0
 * when the scenario ran and its output is complete (targets met or not: those are in the report), 1 when it
 * is broken (sessions that never connected, no traffic, a crash).
 */
abstract class Scenario implements Callable<Integer> {

    @Mixin
    CommonOptions common = new CommonOptions();

    Path work;
    Report report;
    /** Set when the run shows the scenario itself is broken; makes the exit code 1. */
    final java.util.List<String> broken = new java.util.ArrayList<>();

    abstract String name();

    abstract void run() throws Exception;

    @Override
    public Integer call() throws Exception {
        work = Files.createTempDirectory("presence-bench-" + name() + "-");
        report = new Report(name(), common.quick);
        if (!common.serverJvmOptions.isEmpty()) {
            report.root.putPOJO("server_jvm_options", common.serverJvmOptions);
        }
        try {
            run();
        } catch (Exception e) {
            broken.add("failed: " + e);
            e.printStackTrace();
        } finally {
            if (!common.keepData) {
                deleteTree(work);
            } else {
                System.out.println("kept " + work);
            }
        }
        report.root.put("ok", broken.isEmpty());
        for (String b : broken) {
            report.root.withArray("broken").add(b);
            report.note("BROKEN: " + b);
        }
        report.print(System.out);
        Path file = report.write(common.resultsDir());
        System.out.println("wrote " + file);
        return broken.isEmpty() ? 0 : 1;
    }

    /**
     * Starts the server jar with the options every scenario takes ({@code --server-jar},
     * {@code --server-jvm-opt}) and this scenario's own.
     */
    ServerProcess startServer(int port, Path data, String xmx, java.util.List<String> extraJvmOptions,
                              java.util.List<String> flags, Path log) throws IOException, InterruptedException {
        java.util.List<String> jvm = new java.util.ArrayList<>(common.serverJvmOptions);
        jvm.addAll(extraJvmOptions);
        return ServerProcess.start(common.serverJar(), jvm, port, data, xmx, flags, log);
    }

    void log(String format, Object... args) {
        System.out.printf("[%s %tT] %s%n", name(), System.currentTimeMillis(), String.format(format, args));
    }

    static void deleteTree(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort
        }
    }

    static double median(java.util.List<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        java.util.List<Double> v = new java.util.ArrayList<>(values);
        v.sort(null);
        int n = v.size();
        return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
    }
}
