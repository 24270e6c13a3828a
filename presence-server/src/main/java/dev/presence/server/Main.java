package dev.presence.server;

import dev.presence.server.config.ServerCommand;
import dev.presence.server.config.ServerConfig;
import ch.qos.logback.classic.LoggerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

import java.util.concurrent.CountDownLatch;

/** {@code java -jar presence-server.jar [options]}: runs the server until SIGTERM or Ctrl-C. */
public final class Main {

    private static final Logger log = LoggerFactory.getLogger(Main.class);

    private Main() {
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
