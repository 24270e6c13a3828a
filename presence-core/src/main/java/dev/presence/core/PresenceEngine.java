package dev.presence.core;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * The presence domain in one place: sessions become statuses ({@link PresenceTracker}), statuses go to the
 * users who share a thread with their user and have a live session ({@link Audience}), and nobody else.
 *
 * <p>It decides, it does not send: every delivery goes through the {@link StatusSink}. Not thread-safe: one
 * thread owns it, and its {@link Scheduler} runs timers on that thread.
 */
public final class PresenceEngine {

    private final PresenceTracker tracker;
    private final Audience audience = new Audience();
    private final StatusSink sink;

    public PresenceEngine(Clock clock, Scheduler scheduler, long offlineGraceMillis, StatusSink sink) {
        this.sink = sink;
        this.tracker = new PresenceTracker(clock, scheduler, offlineGraceMillis, this::broadcastFlip);
    }

    /** Restores a user's last seen and last version from an earlier run. */
    public void restore(String userId, long lastSeen, long version) {
        tracker.restore(userId, lastSeen, version);
    }

    /**
     * A session of {@code userId} became live.
     *
     * @return the snapshot for its {@code welcome}: the status of every co-member
     */
    public List<UserStatus> sessionStarted(String sessionId, String userId) {
        tracker.sessionStarted(sessionId, userId);
        return snapshot(userId);
    }

    /**
     * A session ended; see {@link EndReason} for when the user's offline flip is reported.
     *
     * @param lastHeardMillis when anything last arrived on the session (epoch ms): the user's last seen
     * @see PresenceTracker#sessionEnded(String, EndReason, long)
     */
    public void sessionEnded(String sessionId, EndReason reason, long lastHeardMillis) {
        tracker.sessionEnded(sessionId, reason, lastHeardMillis);
    }

    /** Number of users online now (live or graced). */
    public int onlineUserCount() {
        return tracker.onlineUserCount();
    }

    /** A user joined a thread: each side of every new pair is shown the other's current status at once. */
    public void joined(String threadId, String userId) {
        Set<String> newlyShared = audience.join(threadId, userId);
        if (newlyShared.isEmpty()) {
            return;
        }
        UserStatus joiner = tracker.status(userId);
        List<String> watchers = new ArrayList<>(newlyShared.size());
        for (String member : newlyShared) {
            if (tracker.hasLiveSession(member)) {
                watchers.add(member);
            }
            if (tracker.hasLiveSession(userId)) {
                sink.deliver(List.of(userId), tracker.status(member), false);
            }
        }
        if (!watchers.isEmpty()) {
            sink.deliver(watchers, joiner, false);
        }
    }

    /** A user left a thread; users who no longer share a thread with them stop hearing of each other. */
    public Set<String> left(String threadId, String userId) {
        return audience.leave(threadId, userId);
    }

    /** The status of every user who shares a thread with {@code viewer}. */
    public List<UserStatus> snapshot(String viewer) {
        String[] coMembers = audience.coMemberArray(viewer);
        List<UserStatus> statuses = new ArrayList<>(coMembers.length);
        for (String member : coMembers) {
            statuses.add(tracker.status(member));
        }
        return statuses;
    }

    /** The statuses of those {@code userIds} who share a thread with {@code viewer}; the others are left out. */
    public List<UserStatus> visibleStatuses(String viewer, Collection<String> userIds) {
        List<UserStatus> statuses = new ArrayList<>();
        for (String userId : userIds) {
            if (audience.shareAThread(viewer, userId)) {
                statuses.add(tracker.status(userId));
            }
        }
        return statuses;
    }

    /** The users who share a thread with {@code userId} and have a live session right now. */
    public List<String> liveCoMembers(String userId) {
        String[] coMembers = audience.coMemberArray(userId);
        List<String> live = new ArrayList<>(coMembers.length);
        for (String member : coMembers) {
            if (tracker.hasLiveSession(member)) {
                live.add(member);
            }
        }
        return live;
    }

    private void broadcastFlip(UserStatus status) {
        // every flip reaches the sink, also one nobody is there to hear: it counts transitions and online users
        sink.deliver(liveCoMembers(status.userId()), status, true);
    }

    public PresenceTracker tracker() {
        return tracker;
    }

    public Audience audience() {
        return audience;
    }
}
