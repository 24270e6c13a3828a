package dev.presence.server.gateway;

import dev.presence.server.metrics.ServerMetrics;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/** The monitor's list of connections: adds, removes (also twice, also of strangers) against a plain list. */
class HeartbeatMonitorTest {

    private final GatewayContext context = new GatewayContext(new ConnectionTest.FakeHub(),
            token -> new CompletableFuture<>(), new ServerMetrics(), Heartbeat.ofMillis(20_000, 10_000), 10_000,
            List.of(), System::currentTimeMillis);
    private final List<EmbeddedChannel> channels = new ArrayList<>();

    @AfterEach
    void finish() {
        channels.forEach(EmbeddedChannel::finishAndReleaseAll);
        context.stop();
    }

    /** A connection taken out of its own channel's monitor, so the test's monitor can hold it. */
    private Connection connection() {
        EmbeddedChannel channel = new EmbeddedChannel();
        channels.add(channel);
        Connection connection = new Connection(context, channel, null);
        context.monitor(channel.eventLoop()).remove(connection);
        return connection;
    }

    @Test
    void seededAddsAndRemovesMatchAList() {
        EmbeddedChannel loopOwner = new EmbeddedChannel();
        channels.add(loopOwner);
        HeartbeatMonitor monitor = new HeartbeatMonitor(loopOwner.eventLoop(), Heartbeat.ofMillis(20_000, 10_000),
                System::currentTimeMillis);
        List<Connection> all = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            all.add(connection());
        }
        List<Connection> model = new ArrayList<>();
        Random random = new Random(7);
        for (int step = 0; step < 2_000; step++) {
            Connection c = all.get(random.nextInt(all.size()));
            if (random.nextBoolean()) {
                monitor.add(c);
                if (!model.contains(c)) {
                    model.add(c);
                }
            } else {
                monitor.remove(c);
                model.remove(c);
            }
            assertThat(monitor.size()).isEqualTo(model.size());
            for (Connection each : all) {
                assertThat(monitor.contains(each)).isEqualTo(model.contains(each));
            }
        }
        monitor.stop();
        loopOwner.runPendingTasks();
        assertThat(monitor.size()).isZero();
        all.forEach(c -> assertThat(monitor.contains(c)).isFalse());
    }
}
