package dev.presence.cluster;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;

import java.time.Duration;

/** Makes the Redis client the cluster classes expect. */
public final class ClusterRedis {

    private ClusterRedis() {
    }

    /**
     * A client for {@code url} ({@code redis://host:port[/db]}) that fails commands at once while disconnected
     * (instead of queueing them for an unknown time: the engine registers its sessions again itself when Redis
     * answers) and gives up on a command after {@code timeout} (a quarter of the lease is a good value).
     */
    public static RedisClient client(String url, Duration timeout) {
        RedisURI uri = RedisURI.create(url);
        uri.setTimeout(timeout);
        RedisClient client = RedisClient.create(uri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(timeout).keepAlive(true).build())
                .timeoutOptions(TimeoutOptions.enabled(timeout))
                .build());
        return client;
    }
}
