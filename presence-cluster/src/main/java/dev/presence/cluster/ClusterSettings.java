package dev.presence.cluster;

import java.time.Duration;
import java.util.Objects;

/**
 * How a node takes part in a cluster: its name, the key namespace it shares with the other nodes, and the timings
 * of crash detection. Every node of one cluster must use the same key prefix and partition count.
 *
 * @param nodeId               this node's name, in logs, metrics and its incarnation ids
 * @param keyPrefix            prefix of every Redis key, so several clusters (or tests) can share one Redis
 * @param lease                a node whose lease was not renewed for this long is dead: it is fenced and its
 *                             sessions end as lost connections; renewed every quarter of it
 * @param partitions           users are spread over this many partitions (one outbox stream each)
 * @param outboxMaxLength      approximate length each outbox stream is trimmed to
 * @param readBlock            how long one blocking outbox read waits (also the retry pause while Redis is away)
 * @param housekeepingInterval how often the node holding the housekeeping lock ends due graces and reaps
 * @param reapBatch            sessions ended by one reaping script call
 */
public record ClusterSettings(String nodeId, String keyPrefix, Duration lease, int partitions, long outboxMaxLength,
                              Duration readBlock, Duration housekeepingInterval, int reapBatch) {

    public ClusterSettings {
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(keyPrefix, "keyPrefix");
        if (lease.toMillis() < 100) {
            throw new IllegalArgumentException("the lease must be at least 100 ms");
        }
        if (partitions < 1 || partitions > 1024) {
            throw new IllegalArgumentException("partitions must be between 1 and 1024");
        }
        if (outboxMaxLength < 100) {
            throw new IllegalArgumentException("the outbox must keep at least 100 entries");
        }
    }

    /** The defaults: lease 10 s, 16 partitions, outboxes of ~100,000 entries, housekeeping every 500 ms. */
    public static ClusterSettings defaults(String nodeId) {
        return new ClusterSettings(nodeId, "presence", Duration.ofSeconds(10), 16, 100_000, Duration.ofMillis(500),
                Duration.ofMillis(500), 500);
    }

    public ClusterSettings withNodeId(String value) {
        return new ClusterSettings(value, keyPrefix, lease, partitions, outboxMaxLength, readBlock,
                housekeepingInterval, reapBatch);
    }

    public ClusterSettings withPartitions(int value) {
        return new ClusterSettings(nodeId, keyPrefix, lease, value, outboxMaxLength, readBlock,
                housekeepingInterval, reapBatch);
    }

    public ClusterSettings withLease(Duration value) {
        return new ClusterSettings(nodeId, keyPrefix, value, partitions, outboxMaxLength, readBlock,
                housekeepingInterval, reapBatch);
    }

    public ClusterSettings withKeyPrefix(String value) {
        return new ClusterSettings(nodeId, value, lease, partitions, outboxMaxLength, readBlock, housekeepingInterval,
                reapBatch);
    }

    public ClusterSettings withOutboxMaxLength(long value) {
        return new ClusterSettings(nodeId, keyPrefix, lease, partitions, value, readBlock, housekeepingInterval,
                reapBatch);
    }

    public ClusterSettings withHousekeepingInterval(Duration value) {
        return new ClusterSettings(nodeId, keyPrefix, lease, partitions, outboxMaxLength, readBlock, value,
                reapBatch);
    }

    public ClusterSettings withReadBlock(Duration value) {
        return new ClusterSettings(nodeId, keyPrefix, lease, partitions, outboxMaxLength, value, housekeepingInterval,
                reapBatch);
    }

    public ClusterSettings withReapBatch(int value) {
        return new ClusterSettings(nodeId, keyPrefix, lease, partitions, outboxMaxLength, readBlock,
                housekeepingInterval, value);
    }
}
