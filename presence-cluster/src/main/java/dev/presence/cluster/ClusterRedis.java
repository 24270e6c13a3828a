package dev.presence.cluster;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.lettuce.core.resource.DefaultClientResources;

import io.lettuce.core.RedisConnectionException;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** Makes the Redis client the cluster classes expect. */
public final class ClusterRedis {

    /**
     * Shared by every client this class makes (threads, event loops), for the life of the process. Reconnect
     * attempts back off to at most a second, so a node finds Redis within a second of its return, however long
     * it was away (Lettuce's default backs off to 30 s).
     */
    private static final class Resources {
        static final ClientResources SHARED = DefaultClientResources.builder()
                .reconnectDelay(Delay.equalJitter(Duration.ofMillis(20), Duration.ofSeconds(1), 2,
                        TimeUnit.MILLISECONDS))
                .build();
    }

    private ClusterRedis() {
    }

    /**
     * A client for {@code url} ({@code redis://host:port[/db]}) that fails commands at once while disconnected
     * (instead of queueing them for an unknown time: the engine registers its sessions again itself when Redis
     * answers) and gives up on a command after {@code timeout} (a quarter of the lease is a good value). Its
     * {@code shutdown()} leaves the shared resources running.
     */
    public static RedisClient client(String url, Duration timeout) {
        RedisURI uri = RedisURI.create(url);
        uri.setTimeout(timeout);
        RedisClient client = RedisClient.create(Resources.SHARED, uri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(timeout).keepAlive(true).build())
                // the connection's own timeout, so that the outbox reader can lengthen it for its blocking reads
                .timeoutOptions(TimeoutOptions.enabled())
                .build());
        return client;
    }

    /** How long {@link #connect} keeps trying. */
    static final Duration CONNECT_PATIENCE = Duration.ofSeconds(30);

    /**
     * Opens a connection, trying again for up to {@link #CONNECT_PATIENCE}: the handshake must finish within the
     * command timeout (a quarter of the lease), which a JVM that has just started, on a busy machine, can miss on
     * its first connection (seen with a 2 s lease: the node refused to start). Later reconnects are Lettuce's.
     */
    static <T> T connect(Supplier<T> attempt) {
        return connect(attempt, CONNECT_PATIENCE);
    }

    static <T> T connect(Supplier<T> attempt, Duration patience) {
        long deadline = System.nanoTime() + patience.toNanos();
        while (true) {
            try {
                return attempt.get();
            } catch (RedisConnectionException e) {
                if (System.nanoTime() - deadline > 0) {
                    throw e;
                }
                try {
                    Thread.sleep(100); // a node that cannot reach Redis yet has nothing else to do
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }
}
