package dev.presence.cluster;

import dev.presence.core.UserStatus;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * This node's copy of every user's status, fed by the outbox (and by the replies to its own writes for last
 * seen), so that queries never wait for Redis. Not thread-safe: the hub's thread owns it.
 */
final class StatusReplica {

    /** What the replica holds of a user; {@code confirmed} once Redis said anything of them. */
    private static final class Entry {
        boolean online;
        long lastSeen;
        long version;
        boolean confirmed;

        UserStatus status(String userId) {
            return new UserStatus(userId, online, lastSeen, version);
        }
    }

    /** The outcome of learning a status from Redis. */
    enum Learned { OLD, SAME_STATUS, FLIP }

    private final Map<String, Entry> users = new HashMap<>();
    private final Map<String, Entry> changed = new LinkedHashMap<>();
    private Consumer<UserStatus> listener = status -> { };
    private int online;

    void onChange(Consumer<UserStatus> value) {
        this.listener = value;
    }

    UserStatus status(String userId) {
        Entry entry = users.get(userId);
        return entry == null ? new UserStatus(userId, false, 0, 0) : entry.status(userId);
    }

    int onlineCount() {
        return online;
    }

    /**
     * What an earlier run kept: fills in users Redis has not told of; never a change. Redis state wins over it
     * when it arrives (it is newer by definition: it outlived this node's restart).
     */
    void restore(String userId, long lastSeen, long version) {
        Entry entry = users.computeIfAbsent(userId, u -> new Entry());
        entry.lastSeen = Math.max(entry.lastSeen, lastSeen);
        if (!entry.confirmed) {
            entry.version = Math.max(entry.version, version);
        }
    }

    /** The user was seen at {@code millis} (a session started or was last heard from): last seen only grows. */
    void seen(String userId, long millis) {
        Entry entry = users.computeIfAbsent(userId, u -> new Entry());
        if (millis > entry.lastSeen) {
            entry.lastSeen = millis;
            changed(userId, entry);
        }
    }

    /**
     * A status Redis holds (from the outbox or a snapshot). Versions decide: an older or equal one only
     * contributes its last seen.
     */
    Learned learn(UserStatus status) {
        Entry entry = users.computeIfAbsent(status.userId(), u -> new Entry());
        if (entry.confirmed && status.version() <= entry.version) {
            seen(status.userId(), status.lastSeen());
            return Learned.OLD;
        }
        boolean flipped = entry.online != status.online();
        if (flipped) {
            online += status.online() ? 1 : -1;
        }
        entry.online = status.online();
        // Redis's version wins over a restored one: restores happen before the node serves anyone
        entry.version = status.version();
        entry.lastSeen = Math.max(entry.lastSeen, status.lastSeen());
        entry.confirmed = true;
        changed(status.userId(), entry);
        return flipped ? Learned.FLIP : Learned.SAME_STATUS;
    }

    /** Users online here whose partition (by {@code partitionOf}) is {@code partition}. */
    List<UserStatus> onlineIn(int partition, java.util.function.ToIntFunction<String> partitionOf) {
        List<UserStatus> found = new ArrayList<>();
        users.forEach((userId, entry) -> {
            if (entry.online && partitionOf.applyAsInt(userId) == partition) {
                found.add(entry.status(userId));
            }
        });
        return found;
    }

    /**
     * An offline flip decided here, not in Redis: a user Redis forgot (it lost its data) and nobody registered
     * again. The version only has to beat what this node showed; a later one from Redis (its TIME) beats it.
     */
    UserStatus forget(String userId, long now) {
        Entry entry = users.get(userId);
        entry.online = false;
        online--;
        entry.version = Math.max(entry.version + 1, now);
        changed(userId, entry);
        return entry.status(userId);
    }

    List<UserStatus> drainChanged() {
        List<UserStatus> drained = new ArrayList<>(changed.size());
        changed.forEach((userId, entry) -> drained.add(entry.status(userId)));
        changed.clear();
        return drained;
    }

    private void changed(String userId, Entry entry) {
        changed.put(userId, entry);
        listener.accept(entry.status(userId));
    }
}
