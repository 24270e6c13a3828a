package dev.presence.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The per-process resource limits that bound how many sockets one process can hold. */
final class Limits {

    /** Files a generator process keeps open besides its sockets (jars, epoll, pipes, the JVM's own). */
    static final int RESERVED_FILES = 200;

    private Limits() {
    }

    /** The soft "Max open files" of this process (/proc/self/limits), or 20,000 if it cannot be read. */
    static int openFilesLimit() {
        return openFilesLimit(Path.of("/proc/self/limits"));
    }

    static int openFilesLimit(Path limits) {
        try {
            for (String line : Files.readAllLines(limits)) {
                if (line.startsWith("Max open files")) {
                    String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                    return "unlimited".equals(soft) ? Integer.MAX_VALUE : Integer.parseInt(soft);
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return 20_000;
    }

    /** Sockets one process may open, leaving room for its other files. */
    static int socketsPerProcess() {
        return openFilesLimit() - RESERVED_FILES;
    }

    /** Files open in process {@code pid} right now. */
    static int openFiles(long pid) {
        String[] fds = Path.of("/proc", Long.toString(pid), "fd").toFile().list();
        return fds == null ? -1 : fds.length;
    }
}
