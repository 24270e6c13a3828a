package dev.presence.server.gateway;

import dev.presence.core.Clock;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
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
    private final Set<Connection> connections = new HashSet<>();
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
        connections.add(connection);
    }

    void remove(Connection connection) {
        assert loop.inEventLoop();
        connections.remove(connection);
    }

    private void sweep() {
        long now = loop.ticker().nanoTime();
        long wallMillis = clock.millis();
        for (Connection connection : connections) {
            if (connection.needsAttention(now, wallMillis)) {
                due.add(connection); // acting may close a connection, which removes it from the set
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
        loop.execute(connections::clear);
    }
}
