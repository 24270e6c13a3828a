package dev.presence.server;

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

/** {@code java -jar presence-server.jar [options]}: runs the server until SIGTERM or Ctrl-C. */
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
        PresenceServer server;
        try {
            server = PresenceServer.start(config);
        } catch (IllegalArgumentException e) {
            System.err.println("presence-server: " + e.getMessage());
            System.exit(2);
            return;
        } catch (Exception e) {
            log.error("Could not start: {}", e.getMessage(), e);
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            // the log is written by a background thread: let it finish before the JVM goes
            if (LoggerFactory.getILoggerFactory() instanceof LoggerContext logback) {
                logback.stop();
            }
            stopped.countDown();
        }, "shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
