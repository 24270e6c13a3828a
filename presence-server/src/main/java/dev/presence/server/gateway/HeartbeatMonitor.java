package dev.presence.server.gateway;

import dev.presence.core.Clock;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One periodic sweep per event loop over the connections that live on it, instead of a timer per channel
 * (cheaper in memory and CPU at tens of thousands of idle connections, see DESIGN.md). Each sweep pings the
 * connections whose ping is due, reaps those silent for interval + timeout, and closes those that did not
 * authenticate in time and those whose JWT has expired (4401). Touched only from its event loop, so it needs no
 * locks. Time is the loop's own ticker (and, for a JWT's {@code exp}, the hub's wall clock read once per sweep),
 * so on an embedded channel the sweeps run on virtual time.
 */
final class HeartbeatMonitor {

    private final EventExecutor loop;
    private final Clock clock;
    /**
     * The loop's connections in {@code [0, size)}, each knowing its index ({@link Connection#monitorSlot}): a hash
     * set would cost every idle connection a 32-byte node; removal moves the last one into the gap.
     */
    private Connection[] connections = new Connection[64];
    private int size;
    private final List<Connection> due = new ArrayList<>();
    private ScheduledFuture<?> sweep;

    /**
     * @param clock the hub's wall clock, read once per sweep for the JWTs' expiry
     */
    HeartbeatMonitor(EventExecutor loop, Heartbeat heartbeat, Clock clock) {
        this.loop = loop;
        this.clock = clock;
        long period = heartbeat.sweepNanos();
        loop.execute(() -> sweep = loop.scheduleAtFixedRate(this::sweep, period, period, TimeUnit.NANOSECONDS));
    }

    void add(Connection connection) {
        assert loop.inEventLoop();
        if (connection.monitorSlot >= 0) {
            return;
        }
        if (size == connections.length) {
            connections = Arrays.copyOf(connections, size * 2);
        }
        connection.monitorSlot = size;
        connections[size++] = connection;
    }

    /** Removes the connection; removing one that is not here changes nothing. */
    void remove(Connection connection) {
        assert loop.inEventLoop();
        if (!contains(connection)) {
            return;
        }
        int slot = connection.monitorSlot;
        Connection last = connections[--size];
        connections[slot] = last;
        last.monitorSlot = slot;
        connections[size] = null;
        connection.monitorSlot = -1;
    }

    int size() {
        return size;
    }

    boolean contains(Connection connection) {
        int slot = connection.monitorSlot;
        return slot >= 0 && slot < size && connections[slot] == connection;
    }

    private void sweep() {
        long now = loop.ticker().nanoTime();
        long wallMillis = clock.millis();
        for (int i = 0; i < size; i++) {
            Connection connection = connections[i];
            if (connection.needsAttention(now, wallMillis)) {
                due.add(connection); // acting may close a connection, which removes it from the array
            }
        }
        for (Connection connection : due) {
            connection.attend(now, wallMillis);
        }
        due.clear();
    }

    void stop() {
        if (sweep != null) {
            sweep.cancel(false);
        }
        loop.execute(() -> {
            for (int i = 0; i < size; i++) {
                connections[i].monitorSlot = -1;
                connections[i] = null;
            }
            size = 0;
        });
    }
}
