package dev.presence.core;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The presence engine of a single node: sessions become statuses in a {@link PresenceTracker}, and the
 * membership index ({@link Audience}) in memory decides who hears of them, so the status path never asks a
 * database. Not thread-safe: one thread owns it, and its {@link Scheduler} runs timers on that thread.
 */
public final class LocalPresenceEngine implements PresenceEngine {

    private final PresenceTracker tracker;
    private final Audience audience = new Audience();
    private final StatusSink later;
    private final Visibility visibility;
    /** Collects the flips of the operation running now; null outside one, where a flip comes from a timer. */
    private List<Delivery> collecting;

    /**
     * @param later told of the flips no call caused: offline graces that ran out
     */
    public LocalPresenceEngine(Clock clock, Scheduler scheduler, long offlineGraceMillis, StatusSink later) {
        this.later = later;
        this.tracker = new PresenceTracker(clock, scheduler, offlineGraceMillis, this::flipped);
        this.visibility = new Visibility(audience, tracker::status, tracker::hasLiveSession);
    }

    @Override
    public Started sessionStarted(String sessionId, String userId) {
        List<Delivery> flips = collect(() -> tracker.sessionStarted(sessionId, userId));
        return new Started(snapshot(userId), flips);
    }

    @Override
    public List<Delivery> sessionEnded(String sessionId, EndReason reason, long lastHeardMillis) {
        return collect(() -> tracker.sessionEnded(sessionId, reason, lastHeardMillis));
    }

    @Override
    public List<Delivery> expireAllGraces() {
        return collect(tracker::expireAllGraces);
    }

    @Override
    public List<Delivery> joined(String threadId, String userId) {
        return visibility.join(threadId, userId);
    }

    @Override
    public Set<String> left(String threadId, String userId) {
        return audience.leave(threadId, userId);
    }

    @Override
    public List<UserStatus> snapshot(String viewer) {
        return visibility.snapshot(viewer);
    }

    @Override
    public List<UserStatus> visibleStatuses(String viewer, Collection<String> userIds) {
        return visibility.visibleStatuses(viewer, userIds);
    }

    @Override
    public UserStatus status(String userId) {
        return tracker.status(userId);
    }

    @Override
    public Set<String> members(String threadId) {
        return audience.members(threadId);
    }

    @Override
    public Set<String> coMembers(String userId) {
        return audience.coMembers(userId);
    }

    @Override
    public int onlineUserCount() {
        return tracker.onlineUserCount();
    }

    @Override
    public void restore(String userId, long lastSeen, long version) {
        tracker.restore(userId, lastSeen, version);
    }

    @Override
    public void onChange(Consumer<UserStatus> listener) {
        tracker.onChange(listener);
    }

    @Override
    public List<UserStatus> drainChanged() {
        return tracker.drainChanged();
    }

    /** Runs an operation of the tracker and returns the flips it made, instead of reporting them as they happen. */
    private List<Delivery> collect(Runnable operation) {
        List<Delivery> flips = new ArrayList<>(1);
        collecting = flips;
        try {
            operation.run();
        } finally {
            collecting = null;
        }
        return flips;
    }

    private void flipped(UserStatus status) {
        // every flip is reported, also one nobody is there to hear: it counts transitions and online users
        Delivery delivery = new Delivery(visibility.listeningCoMembers(status.userId()), status, true);
        if (collecting != null) {
            collecting.add(delivery);
        } else {
            later.deliver(delivery);
        }
    }
}
