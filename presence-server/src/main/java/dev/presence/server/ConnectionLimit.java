package dev.presence.server;

import com.sun.management.UnixOperatingSystemMXBean;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Caps the connections held at once below what the process can open: past the open-file limit, accepting
 * fails in a loop, clients wait in the backlog, and even the database cannot open its files. A connection
 * over the cap is reset at once, so its client backs off and tries again (or another node).
 */
final class ConnectionLimit {

    private static final Logger log = LoggerFactory.getLogger(ConnectionLimit.class);
    /** File descriptors kept for the database, the jar, logs and the listening socket. */
    static final int RESERVED_FILES = 256;

    private final int max;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicLong lastWarning = new AtomicLong();
    /**
     * The one close listener of every admitted connection, shared: a listener made per connection, and a second
     * one beside it on the same close future, would cost each idle session 64 bytes of heap.
     */
    private final ChannelFutureListener closed;

    ConnectionLimit(int configured) {
        this(configured, channel -> { });
    }

    /**
     * @param alsoOnClose told of every admitted connection that closed, from the same close listener (whatever
     *                    else a connection holds until it closes, such as its {@link
     *                    dev.presence.server.web.PendingConnections} slot)
     */
    ConnectionLimit(int configured, Consumer<Channel> alsoOnClose) {
        this.max = configured > 0 ? configured : automatic();
        this.closed = future -> {
            open.decrementAndGet();
            alsoOnClose.accept(future.channel());
        };
    }

    private static int automatic() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean unix) {
            long files = unix.getMaxFileDescriptorCount();
            return (int) Math.max(64, Math.min(Integer.MAX_VALUE, files - RESERVED_FILES));
        }
        return Integer.MAX_VALUE;
    }

    int max() {
        return max;
    }

    /** Admits a new connection, or resets it and returns false when the cap is reached. */
    boolean admit(Channel channel) {
        if (open.incrementAndGet() > max) {
            open.decrementAndGet();
            long now = System.currentTimeMillis();
            long last = lastWarning.get();
            if (now - last > 10_000 && lastWarning.compareAndSet(last, now)) {
                log.warn("Connection limit of {} reached: refusing new connections", max);
            }
            refuse(channel);
            return false;
        }
        channel.closeFuture().addListener(closed);
        return true;
    }

    /** Resets a connection at once (no FIN handshake), so its client knows to back off and retry. */
    static void refuse(Channel channel) {
        channel.config().setOption(ChannelOption.SO_LINGER, 0);
        channel.close();
    }
}
