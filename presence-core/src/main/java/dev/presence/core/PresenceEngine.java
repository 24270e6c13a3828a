package dev.presence.core;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The presence state as the server's hub sees it: sessions become statuses, and statuses go to the users who
 * share a thread with their user and have a live session, and nobody else. The seam between the hub and an
 * engine: {@link LocalPresenceEngine} keeps everything in this process; a cluster engine keeps it in a shared
 * store. Every implementation passes the same contract tests.
 *
 * <p>An engine decides, it does not send: an operation returns the deliveries it caused, and the caller sends
 * them. Deliveries that nobody's call caused (a grace that ran out, another node's change) go to the
 * {@link StatusSink} the engine was made with. Not thread-safe: one thread owns an engine, and its timers run
 * on that thread.
 */
public interface PresenceEngine {

    /**
     * What a session start caused.
     *
     * @param snapshot   the status of every co-member of the session's user, for its {@code welcome}
     * @param deliveries the user's online flip to their co-members, if the user was offline
     */
    record Started(List<UserStatus> snapshot, List<Delivery> deliveries) {
    }

    /** A session of {@code userId} became live. Starting a session that is already live changes nothing. */
    Started sessionStarted(String sessionId, String userId);

    /**
     * A session ended; see {@link EndReason} for when the user's offline flip comes. Ending an unknown or
     * already ended session changes nothing, so a late reaper of an old session can never end a newer one.
     *
     * @param lastHeardMillis when anything last arrived on the session (epoch ms): the user's last seen
     * @return the user's offline flip if it happened at once
     */
    List<Delivery> sessionEnded(String sessionId, EndReason reason, long lastHeardMillis);

    /** A user joined a thread: each side of every new pair is shown the other's current status. */
    List<Delivery> joined(String threadId, String userId);

    /**
     * A user left a thread.
     *
     * @return the users who no longer share any thread with {@code userId}
     */
    Set<String> left(String threadId, String userId);

    /** The status of every user who shares a thread with {@code viewer}. */
    List<UserStatus> snapshot(String viewer);

    /** The statuses of those {@code userIds} who share a thread with {@code viewer}; the others are left out. */
    List<UserStatus> visibleStatuses(String viewer, Collection<String> userIds);

    /** A user's status; an unknown user is offline, never seen, version 0. */
    UserStatus status(String userId);

    /** The members of a thread. */
    Set<String> members(String threadId);

    /** The users who share at least one thread with {@code userId}, without the user. */
    Set<String> coMembers(String userId);

    /** Users online now (live, or a lost session inside its grace). */
    int onlineUserCount();

    /**
     * What a store kept of a user from an earlier run. Never moves a status back, and is not a change: a
     * version handed out later is greater than any restored one and than the clock at restore.
     */
    void restore(String userId, long lastSeen, long version);

    /**
     * Tells {@code listener} of every change of a user's status, last seen or version, before the change can
     * be delivered or read: for a journal that must hold whatever a watcher may have been shown.
     */
    void onChange(Consumer<UserStatus> listener);

    /** Statuses changed since the last call, for a batched write-behind. */
    List<UserStatus> drainChanged();

    /**
     * Ends every grace now, as if it had run out: at shutdown, so the offline flips of users whose connections
     * were lost are made (and saved) before the process goes.
     */
    List<Delivery> expireAllGraces();
}
