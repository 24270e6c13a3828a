package dev.presence.core;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Turns sessions into user statuses: a user is online iff at least one of their sessions is live, or
 * one was lost without a close frame less than the offline grace ago and no session has started since (a new
 * session cancels the pending offline: the user never looked offline, and from then on only the new session
 * counts).
 *
 * <p>Sessions are keyed by session id, never by user id, so ending one session never touches another
 * session of the same user. Only the 0→1 and 1→0 flips are reported, each with a version that strictly
 * increases per user: {@code max(previous + 1, now)}, which also keeps increasing across restarts once the
 * previous versions are {@linkplain #restore restored}.
 *
 * <p>Not thread-safe: one thread owns it, and the {@link Scheduler} runs its timers on that thread.
 */
public final class PresenceTracker {

    private final Clock clock;
    private final Scheduler scheduler;
    private final long offlineGraceMillis;
    private final Consumer<UserStatus> transitions;

    private final Map<String, String> userBySession = new HashMap<>();
    private final Map<String, UserState> users = new HashMap<>();
    private final Map<String, UserState> dirty = new HashMap<>();
    private int onlineUsers;
    private Consumer<UserStatus> changes = status -> { };

    /**
     * @param transitions told of every flip, synchronously, on the owning thread
     */
    public PresenceTracker(Clock clock, Scheduler scheduler, long offlineGraceMillis,
                           Consumer<UserStatus> transitions) {
        if (offlineGraceMillis < 0) {
            throw new IllegalArgumentException("offline grace must not be negative");
        }
        this.clock = clock;
        this.scheduler = scheduler;
        this.offlineGraceMillis = offlineGraceMillis;
        this.transitions = transitions;
    }

    /**
     * Restores what the store kept of a user from an earlier run: last seen and last version. The store is
     * written behind, so an earlier run may have handed out newer versions that it never saved (a crash);
     * they were all made before now, so the version restarts at the clock if that is higher, and a
     * snapshot after a restart never shows a version lower than one a client already holds.
     */
    public void restore(String userId, long lastSeen, long version) {
        UserState user = user(userId);
        user.lastSeen = Math.max(user.lastSeen, lastSeen);
        user.version = Math.max(user.version, Math.max(version, clock.millis()));
    }

    /**
     * Tells {@code listener} of every change of a user's status, last seen or version, synchronously on the
     * owning thread and before the change is reported or can be read: for a journal that must hold whatever may
     * be delivered. {@link #restore} is not a change.
     */
    public void onChange(Consumer<UserStatus> listener) {
        this.changes = listener;
    }

    /**
     * A session became live. Starting a session that is already live is ignored.
     *
     * @return true if this made the user online
     */
    public boolean sessionStarted(String sessionId, String userId) {
        if (userBySession.putIfAbsent(sessionId, userId) != null) {
            return false;
        }
        UserState user = user(userId);
        long now = clock.millis();
        user.liveSessions++;
        user.lastSeen = Math.max(user.lastSeen, now);
        markDirty(userId, user);
        // a new session inside the grace cancels the pending offline: a clean close of this new session
        // must then count at once, not wait for the old loss's grace
        user.cancelGraces();
        if (!user.online) {
            flip(userId, user, true, now);
            return true;
        }
        return false;
    }

    /**
     * A session ended. Ending an unknown or already ended session is ignored, so a late reaper of an old
     * session can never end a newer one.
     *
     * <p>The user's last seen becomes the moment the session was last heard from, not the moment its end was
     * noticed (a heartbeat timeout is noticed up to interval + timeout later, a lost connection when the OS
     * gives up): when the user goes offline, last seen is the latest last-heard of the sessions that ended.
     *
     * @param lastHeardMillis when anything last arrived on the session (epoch ms); a time after now counts as
     *                        now, and a time before an earlier sign of life changes nothing
     * @return true if this made the user offline at once (a graced end reports its flip later, if at all)
     */
    public boolean sessionEnded(String sessionId, EndReason reason, long lastHeardMillis) {
        String userId = userBySession.remove(sessionId);
        if (userId == null) {
            return false;
        }
        UserState user = users.get(userId);
        long now = clock.millis();
        user.liveSessions--;
        user.lastSeen = Math.max(user.lastSeen, Math.min(lastHeardMillis, now));
        markDirty(userId, user);
        if (reason.graced() && offlineGraceMillis > 0) {
            Scheduler.Cancellable[] handle = new Scheduler.Cancellable[1];
            handle[0] = scheduler.schedule(offlineGraceMillis, () -> graceExpired(userId, user, handle[0]));
            if (user.graces.isEmpty()) {
                user.graces = new ArrayList<>(1);
            }
            user.graces.add(handle[0]);
            return false;
        }
        return settle(userId, user, user.lastSeen);
    }

    private void graceExpired(String userId, UserState user, Scheduler.Cancellable handle) {
        if (!user.graces.isEmpty() && user.graces.remove(handle)) {
            // the user went offline when last heard from, not when the grace ran out
            settle(userId, user, user.lastSeen);
        }
    }

    /**
     * Ends every grace now, as if it had run out: for a shutdown, so the offline flips of users whose
     * connections were lost are made (and saved) before the process goes.
     */
    public void expireAllGraces() {
        users.forEach((userId, user) -> {
            if (!user.graces.isEmpty()) {
                user.cancelGraces();
                settle(userId, user, user.lastSeen);
            }
        });
    }

    private boolean settle(String userId, UserState user, long offlineAt) {
        if (user.online && user.liveSessions == 0 && user.graces.isEmpty()) {
            flip(userId, user, false, offlineAt);
            return true;
        }
        return false;
    }

    private void flip(String userId, UserState user, boolean online, long at) {
        user.online = online;
        onlineUsers += online ? 1 : -1;
        user.version = Math.max(user.version + 1, clock.millis());
        user.lastSeen = Math.max(user.lastSeen, at);
        markDirty(userId, user);
        transitions.accept(user.status(userId));
    }

    /** The current status of a user; an unknown user is offline, never seen, version 0. */
    public UserStatus status(String userId) {
        UserState user = users.get(userId);
        return user == null ? new UserStatus(userId, false, 0, 0) : user.status(userId);
    }

    /** Whether the user is online (a live session, or a lost one still inside its grace). */
    public boolean isOnline(String userId) {
        UserState user = users.get(userId);
        return user != null && user.online;
    }

    /** Whether the user has a live session that can receive events right now. */
    public boolean hasLiveSession(String userId) {
        UserState user = users.get(userId);
        return user != null && user.liveSessions > 0;
    }

    /** Live sessions of the user. */
    public int liveSessions(String userId) {
        UserState user = users.get(userId);
        return user == null ? 0 : user.liveSessions;
    }

    /**
     * Number of users online now (live or graced), exact at every moment: it changes only where a user's
     * status flips.
     */
    public int onlineUserCount() {
        return onlineUsers;
    }

    /** Number of live sessions of all users. */
    public int liveSessionCount() {
        return userBySession.size();
    }

    /** Statuses changed since the last call (last seen or version), for a batched write-behind. */
    public List<UserStatus> drainChanged() {
        List<UserStatus> changed = new ArrayList<>(dirty.size());
        dirty.forEach((userId, user) -> changed.add(user.status(userId)));
        dirty.clear();
        return changed;
    }

    private void markDirty(String userId, UserState user) {
        dirty.put(userId, user);
        changes.accept(user.status(userId));
    }

    private UserState user(String userId) {
        return users.computeIfAbsent(userId, id -> new UserState());
    }

    private static final class UserState {
        int liveSessions;
        /** Pending offline graces of lost sessions; usually empty, so shared until needed. */
        List<Scheduler.Cancellable> graces = List.of();
        boolean online;
        long lastSeen;
        long version;

        void cancelGraces() {
            if (!graces.isEmpty()) {
                graces.forEach(Scheduler.Cancellable::cancel);
                graces = List.of();
            }
        }

        UserStatus status(String userId) {
            return new UserStatus(userId, online, lastSeen, version);
        }
    }
}
