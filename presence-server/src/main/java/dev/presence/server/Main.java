package dev.presence.server;

import dev.presence.server.config.BuildVersion;
import dev.presence.server.config.ServerCommand;
import dev.presence.server.config.ServerConfig;
import ch.qos.logback.classic.LoggerContext;
import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

import java.lang.management.ManagementFactory;
import java.util.concurrent.CountDownLatch;

/**
 * {@code java -jar presence-server.jar [options]}: runs the server until Ctrl-C (SIGINT) or SIGTERM, and then
 * stops it cleanly and exits with 0. A start it cannot make (bad option: 2; port taken, data folder in use: 1)
 * is one line on stderr.
 */
public final class Main {

    private static final Logger log = LoggerFactory.getLogger(Main.class);

    private Main() {
    }

    /**
     * G1 keeps the heap it grew to during a connect burst (up to 70 % free) as resident memory; a node that
     * holds many idle sessions wants its RSS to follow the live heap (bench: RSS per session 12 KB → 3 KB).
     * Both flags are manageable, so they are set here rather than asked of every launch command; flags given
     * on the command line win.
     */
    private static void keepHeapNearWhatIsLive() {
        try {
            HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            if (hotspot.getVMOption("MaxHeapFreeRatio").getOrigin() == VMOption.Origin.DEFAULT) {
                hotspot.setVMOption("MinHeapFreeRatio", "10");
                hotspot.setVMOption("MaxHeapFreeRatio", "20");
            }
        } catch (RuntimeException e) {
            log.debug("Heap free ratios left as they are: {}", e.getMessage());
        }
    }

    public static void main(String[] args) {
        ServerCommand command = new ServerCommand();
        CommandLine cli = new CommandLine(command);
        ServerConfig config;
        try {
            CommandLine.ParseResult parsed = cli.parseArgs(args);
            if (CommandLine.printHelpIfRequested(parsed)) {
                return;
            }
            config = command.toConfig();
        } catch (CommandLine.ParameterException e) {
            System.err.println("presence-server: " + e.getMessage());
            cli.usage(System.err);
            System.exit(2);
            return;
        } catch (IllegalArgumentException e) {
            System.err.println("presence-server: " + e.getMessage());
            System.exit(2);
            return;
        }
        keepHeapNearWhatIsLive();
        log.info("Starting presence-server {}", BuildVersion.get());
        PresenceServer server;
        try {
            server = PresenceServer.start(config);
        } catch (IllegalArgumentException e) {
            System.err.println("presence-server: " + e.getMessage());
            System.exit(2);
            return;
        } catch (StartupException e) {
            // the operator's to fix (port taken, folder in use): one line that says so, no stack trace
            log.debug("Could not start", e);
            stopLogging();
            System.err.println("presence-server: " + e.getMessage());
            System.exit(1);
            return;
        } catch (Exception e) {
            log.error("Could not start: {}", e.getMessage(), e);
            stopLogging();
            System.exit(1);
            return;
        }
        // any other way the JVM ends (SIGHUP, System.exit elsewhere) still stops the server cleanly
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(server), "shutdown"));
        CountDownLatch stopRequested = new CountDownLatch(1);
        onStopSignal(stopRequested);
        try {
            stopRequested.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        stop(server);
        System.exit(0);
    }

    /**
     * Ctrl-C (SIGINT) and SIGTERM ask for a clean stop, and a clean stop exits with 0: left to the JVM, either
     * would run the shutdown hook but exit with 130 or 143, and a service manager would log a failure. Where a
     * handler cannot be installed (the JVM runs with -Xrs, or the signal was ignored when the process started),
     * the shutdown hook still stops the server. ({@code sun.misc.Signal}, of module {@code jdk.unsupported}: the
     * JDK has no supported API for signals.)
     */
    private static void onStopSignal(CountDownLatch stopRequested) {
        for (String name : new String[] {"INT", "TERM"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> stopRequested.countDown());
            } catch (IllegalArgumentException e) {
                log.debug("SIG{} left to the JVM: {}", name, e.getMessage());
            }
        }
    }

    private static void stop(PresenceServer server) {
        server.close();
        stopLogging();
    }

    /** The log is written by a background thread: let it finish before the JVM goes. */
    private static void stopLogging() {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext logback) {
            logback.stop();
        }
    }
}
