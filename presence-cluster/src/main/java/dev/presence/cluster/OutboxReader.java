package dev.presence.cluster;

import dev.presence.core.UserStatus;
import io.lettuce.core.MapScanCursor;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;

/**
 * Reads every partition's outbox, and the membership stream, from this node's own cursors, on a thread of its
 * own with a connection of its own (a blocking read would hold up anything else on a shared connection).
 * Each entry carries its stream's sequence number: a number that does not follow the last one means entries
 * were trimmed away before this node read them (or Redis lost its data), and the partition is reloaded from a
 * snapshot instead of missing them.
 */
final class OutboxReader implements AutoCloseable {

    /** Where what was read goes; called on the reader's thread. */
    interface Target {
        /** A partition's full state, at start ({@code initial}) or after a gap. */
        void loaded(int partition, List<UserStatus> statuses, boolean initial);

        /** Flips, in outbox order per partition. */
        void events(List<UserStatus> flips);

        /** Membership changes made on some node. */
        void memberships(List<MembershipChange> changes);

        /** Membership changes were trimmed before this node read them. */
        void membershipsMissed();

        /** The first load of every partition is done: queries now answer from Redis's state. */
        void started();
    }

    /** A membership change published by the node {@code origin}. */
    record MembershipChange(boolean joined, String threadId, String userId, String origin) {
    }

    private static final Logger log = LoggerFactory.getLogger(OutboxReader.class);

    private final StatefulRedisConnection<String, String> connection;
    private final RedisKeys keys;
    private final RedisScripts scripts;
    private final ClusterSettings settings;
    private final ClusterMetrics metrics;
    private final Target target;
    private final int partitions;
    private final String[] streams;
    private final Map<String, Integer> indexOf = new HashMap<>();
    private final String[] cursors;
    private final long[] sequences;
    private final AtomicReferenceArray<StreamId> handedOver;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean paused;
    private volatile boolean reloadAll;
    private boolean loaded;

    OutboxReader(StatefulRedisConnection<String, String> connection, RedisKeys keys, RedisScripts scripts,
                 ClusterSettings settings, ClusterMetrics metrics, Target target) {
        this.connection = connection;
        // a blocking read must not time out on the client's (shorter) command timeout
        connection.setTimeout(settings.readBlock().plus(settings.lease()));
        this.keys = keys;
        this.scripts = scripts;
        this.settings = settings;
        this.metrics = metrics;
        this.target = target;
        this.partitions = keys.partitions();
        this.streams = new String[partitions + 1];
        for (int p = 0; p < partitions; p++) {
            streams[p] = keys.outbox(p);
        }
        streams[partitions] = keys.memberships();
        for (int i = 0; i < streams.length; i++) {
            indexOf.put(streams[i], i);
        }
        this.cursors = new String[streams.length];
        this.sequences = new long[streams.length];
        this.handedOver = new AtomicReferenceArray<>(streams.length);
        for (int i = 0; i < streams.length; i++) {
            handedOver.set(i, StreamId.ZERO);
        }
        this.thread = new Thread(this::run, "presence-outbox-" + settings.nodeId());
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** The last entry of a partition's outbox handed to the target (it may still be queued for the hub). */
    StreamId handedOver(int partition) {
        return handedOver.get(partition);
    }

    /** Reloads every partition before the next read: Redis lost its data, the replica may hold ghosts. */
    void reloadAll() {
        reloadAll = true;
    }

    /** For tests: stops reading (a node that hangs), without closing anything. */
    void pause(boolean value) {
        paused = value;
    }

    private void run() {
        while (running) {
            try {
                if (paused) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(settings.readBlock().toMillis()));
                    continue;
                }
                if (!loaded) {
                    for (int p = 0; p < partitions; p++) {
                        reload(p, true);
                    }
                    List<Object> cursor = cursorOf(partitions);
                    sequences[partitions] = Long.parseLong((String) cursor.get(0));
                    cursors[partitions] = (String) cursor.get(1);
                    loaded = true;
                    target.started();
                }
                if (reloadAll) {
                    reloadAll = false;
                    try {
                        for (int p = 0; p < partitions; p++) {
                            reload(p, false);
                        }
                    } catch (Exception e) {
                        reloadAll = true; // all of them again, once Redis answers
                        throw e;
                    }
                }
                read();
            } catch (Exception e) {
                if (!running) {
                    break;
                }
                log.debug("Outbox read failed ({}); retrying", e.toString());
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(settings.readBlock().toMillis()));
            }
        }
    }

    @SuppressWarnings("unchecked")
    private void read() throws Exception {
        XReadArgs.StreamOffset<String>[] offsets = new XReadArgs.StreamOffset[streams.length];
        for (int i = 0; i < streams.length; i++) {
            offsets[i] = XReadArgs.StreamOffset.from(streams[i], cursors[i]);
        }
        List<StreamMessage<String, String>> batch = connection.sync()
                .xread(XReadArgs.Builder.block(settings.readBlock()).count(1000), offsets);
        if (batch == null || batch.isEmpty() || paused || !running) {
            return;
        }
        List<UserStatus> flips = new ArrayList<>(batch.size());
        List<MembershipChange> changes = new ArrayList<>();
        boolean[] skip = new boolean[streams.length];
        StreamId[] reached = new StreamId[streams.length];
        long newest = 0;
        for (StreamMessage<String, String> message : batch) {
            int index = indexOf.get(message.getStream());
            if (skip[index]) {
                continue;
            }
            Map<String, String> body = message.getBody();
            long n = Long.parseLong(body.get("n"));
            if (n != sequences[index] + 1) {
                skip[index] = true;
                if (index < partitions) {
                    log.info("Outbox {} jumped from entry {} to {}: reloading the partition", index,
                            sequences[index], n);
                    target.events(flips); // what came before the gap stays in order
                    flips = new ArrayList<>();
                    reload(index, false);
                } else {
                    log.warn("Membership changes {} to {} were trimmed before this node read them",
                            sequences[index] + 1, n - 1);
                    metrics.membershipGap();
                    target.membershipsMissed();
                    List<Object> cursor = cursorOf(partitions);
                    sequences[index] = Long.parseLong((String) cursor.get(0));
                    cursors[index] = (String) cursor.get(1);
                }
                continue;
            }
            sequences[index] = n;
            cursors[index] = message.getId();
            StreamId id = StreamId.parse(message.getId());
            reached[index] = id;
            newest = Math.max(newest, id.millis());
            if (index < partitions) {
                flips.add(new UserStatus(body.get("u"), "1".equals(body.get("o")), Long.parseLong(body.get("l")),
                        Long.parseLong(body.get("v"))));
            } else {
                changes.add(new MembershipChange("j".equals(body.get("k")), body.get("t"), body.get("u"),
                        body.get("f")));
            }
        }
        if (!changes.isEmpty()) {
            target.memberships(changes);
        }
        if (!flips.isEmpty()) {
            target.events(flips);
        }
        for (int i = 0; i < streams.length; i++) {
            if (reached[i] != null && !skip[i]) {
                handedOver.set(i, reached[i]);
            }
        }
        metrics.outboxRead(System.currentTimeMillis() - newest, batch.size());
    }

    /** Loads a partition's statuses, with the outbox position they are as of (entries after it come on top). */
    private void reload(int p, boolean initial) throws Exception {
        List<Object> cursor = cursorOf(p);
        List<UserStatus> statuses = new ArrayList<>();
        // scanned, not HGETALL: a large partition must not block Redis; what changes meanwhile comes on top
        MapScanCursor<String, String> scan = connection.sync().hscan(keys.status(p), ScanArgs.Builder.limit(1000));
        while (true) {
            scan.getMap().forEach((user, value) -> statuses.add(parseStatus(user, value)));
            if (scan.isFinished()) {
                break;
            }
            scan = connection.sync().hscan(keys.status(p), scan, ScanArgs.Builder.limit(1000));
        }
        target.loaded(p, statuses, initial);
        sequences[p] = Long.parseLong((String) cursor.get(0));
        cursors[p] = (String) cursor.get(1);
        handedOver.set(p, StreamId.parse(cursors[p]));
        if (!initial) {
            metrics.reloaded();
        }
    }

    private List<Object> cursorOf(int index) throws Exception {
        String[] scriptKeys = index < partitions ? keys.partitionKeys(index)
                : new String[] {keys.memberships(), keys.memberships(), keys.memberships(),
                        keys.membershipSequence(), keys.memberships()};
        return RedisScripts.<List<Object>>run(connection.async(), scripts.cursor, ScriptOutputType.MULTI,
                scriptKeys).get(settings.lease().toMillis(), TimeUnit.MILLISECONDS);
    }

    static UserStatus parseStatus(String user, String value) {
        int first = value.indexOf(',');
        int second = value.indexOf(',', first + 1);
        return new UserStatus(user, value.charAt(0) == '1', Long.parseLong(value.substring(second + 1)),
                Long.parseLong(value.substring(first + 1, second)));
    }

    @Override
    public void close() {
        running = false;
        try {
            thread.join(settings.readBlock().toMillis() * 4 + 1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        connection.close();
    }
}
