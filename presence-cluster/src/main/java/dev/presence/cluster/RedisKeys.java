package dev.presence.cluster;

/**
 * The names of the cluster's Redis keys. Per-user state lives in partitions; every key of partition {@code p}
 * carries the hash tag <code>{p}</code>, so one script only ever touches one hash slot and the partitions can
 * be spread over a Redis Cluster unchanged. Node-level keys (leases, fencing, the housekeeping lock) are few and
 * small.
 */
final class RedisKeys {

    private final String prefix;
    private final int partitions;

    RedisKeys(String prefix, int partitions) {
        this.prefix = prefix;
        this.partitions = partitions;
    }

    int partitions() {
        return partitions;
    }

    /** The partition of a user: {@link String#hashCode} is specified, so every JVM agrees. */
    int partition(String userId) {
        return Math.floorMod(userId.hashCode(), partitions);
    }

    private String tag(int p) {
        return prefix + ":{" + p + "}:";
    }

    String status(int p) {
        return tag(p) + "status";
    }

    String grace(int p) {
        return tag(p) + "grace";
    }

    String outbox(int p) {
        return tag(p) + "outbox";
    }

    String outboxSequence(int p) {
        return tag(p) + "seq";
    }

    String fenced(int p) {
        return tag(p) + "fenced";
    }

    String userSessionsPrefix(int p) {
        return tag(p) + "s:";
    }

    String userSessions(int p, String userId) {
        return userSessionsPrefix(p) + userId;
    }

    String nodeSessionsPrefix(int p) {
        return tag(p) + "n:";
    }

    String nodeSessions(int p, String incarnation) {
        return nodeSessionsPrefix(p) + incarnation;
    }

    /** The five keys every partition script starts with. */
    String[] partitionKeys(int p, String... more) {
        String[] keys = new String[5 + more.length];
        keys[0] = status(p);
        keys[1] = grace(p);
        keys[2] = outbox(p);
        keys[3] = outboxSequence(p);
        keys[4] = fenced(p);
        System.arraycopy(more, 0, keys, 5, more.length);
        return keys;
    }

    /** The node-level keys share the hash tag <code>{n}</code>: the lease scripts touch several at once. */
    String nodes() {
        return prefix + ":{n}:nodes";
    }

    String renewals() {
        return prefix + ":{n}:renewals";
    }

    String fencedNodes() {
        return prefix + ":{n}:fenced";
    }

    String reaping() {
        return prefix + ":{n}:reaping";
    }

    String housekeeper() {
        return prefix + ":{n}:housekeeper";
    }

    String memberships() {
        return prefix + ":{m}:memberships";
    }

    String membershipSequence() {
        return prefix + ":{m}:seq";
    }

    String bus() {
        return prefix + ":bus";
    }
}
