/**
 * Cluster mode on Redis: {@link dev.presence.cluster.RedisPresenceEngine}, the presence engine whose state every
 * node shares, and {@link dev.presence.cluster.RedisClusterBus}, chat events for the sessions of every node.
 * Make their client with {@link dev.presence.cluster.ClusterRedis#client}. The keys, the scripts and the failure
 * modes they handle are described in {@code presence-cluster/README.md}.
 */
package dev.presence.cluster;
