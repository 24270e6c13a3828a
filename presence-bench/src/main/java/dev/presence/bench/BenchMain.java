package dev.presence.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar presence-bench.jar <scenario> [options]}. */
@Command(name = "presence-bench", mixinStandardHelpOptions = true, version = "presence-bench 0.1",
        description = "Benchmarks of the presence server: it provisions users in bulk, starts the server as its own"
                + " process, drives non-blocking WebSocket clients over loopback and writes"
                + " bench/results/<scenario>-<date>.json.",
        subcommands = {DensityCommand.class, FanoutCommand.class, DetectCommand.class, NodeKillCommand.class, RedisCapacityCommand.class,
                StormCommand.class, DeliverCommand.class, Storm2000Command.class,
                WritesCommand.class, ProvisionCommand.class,
                JournalCommand.class, PlotCommand.class, GeneratorCommand.class})
public final class BenchMain implements Runnable {

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        System.exit(execute(args));
    }

    /** Runs a command line in this JVM and returns its exit code. */
    public static int execute(String... args) {
        return new CommandLine(new BenchMain()).execute(args);
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
