package dev.presence.bench;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;

/**
 * One simulated user's WebSocket: its identity, its channel, and its view of its co-members' status, all
 * touched only from its own event loop (counters that others read are kept by the {@link Fleet}).
 */
final class Session {

    final int user;
    final String token;
    final EventLoop loop;
    /** Co-members (the ring neighbours), in a fixed order. */
    final int[] watched;
    final boolean[] online;
    final long[] version;
    /** Highest version ever seen per co-member, across reconnects and server restarts. */
    final long[] maxVersionSeen;

    /** Query string of the upgrade request ({@code deliver}'s baseline: user and groups), or null. */
    String wsQuery;
    /** Text frames and their payload bytes received on this session, over all its connections. */
    long framesReceived;
    long bytesReceived;
    /** Slot per user index + 1 (0: not watched) for large co-member lists; null for small ones. */
    private int[] slotIndex;

    /** Which server of a cluster this session connects to (0 with one server). */
    int node;
    volatile Channel channel;
    /** Welcome received and not closed since. */
    boolean open;
    /** Network "died": reads stopped and nothing is ever written again. */
    volatile boolean frozen;
    /** The bench asked for this close (fanout cycling, teardown), as opposed to a lost connection. */
    boolean closing;
    /** Counted in {@link Fleet#completeViews} right now. */
    boolean viewComplete;
    int onlineInView;
    /** Per-session reconnect policy (storm); null when the bench does not reconnect. */
    BackoffPolicy backoff;
    long closeSentNanos;
    long connectStartNanos;
    /** Counted against the fleet's connect gate until welcomed or failed. */
    volatile boolean awaitingWelcome;

    Session(int user, String token, EventLoop loop, int[] watched) {
        this.user = user;
        this.token = token;
        this.loop = loop;
        this.watched = watched;
        this.online = new boolean[watched.length];
        this.version = new long[watched.length];
        this.maxVersionSeen = new long[watched.length];
    }

    /** What applying a status to this session's view did. */
    enum Applied { CHANGED_VIEW, SAME_VIEW, STALE, NOT_WATCHED }

    /**
     * Replaces the whole view with a snapshot (a {@code welcome}).
     *
     * @return the first entry whose version is below one this session saw before, or null
     */
    FrameScanner.Status replaceView(java.util.List<FrameScanner.Status> snapshot) {
        java.util.Arrays.fill(online, false);
        java.util.Arrays.fill(version, 0);
        onlineInView = 0;
        FrameScanner.Status regression = null;
        for (FrameScanner.Status status : snapshot) {
            int slot = slotOf(status.user());
            if (slot < 0) {
                continue;
            }
            if (status.version() < maxVersionSeen[slot] && regression == null) {
                regression = status;
            }
            maxVersionSeen[slot] = Math.max(maxVersionSeen[slot], status.version());
            version[slot] = status.version();
            online[slot] = status.online();
            if (status.online()) {
                onlineInView++;
            }
        }
        return regression;
    }

    /** Applies one status change by the version rule: only a newer version changes the view. */
    Applied apply(FrameScanner.Status status) {
        int slot = slotOf(status.user());
        if (slot < 0) {
            return Applied.NOT_WATCHED;
        }
        if (status.version() <= version[slot]) {
            return Applied.STALE;
        }
        version[slot] = status.version();
        maxVersionSeen[slot] = Math.max(maxVersionSeen[slot], status.version());
        if (online[slot] == status.online()) {
            return Applied.SAME_VIEW;
        }
        online[slot] = status.online();
        onlineInView += status.online() ? 1 : -1;
        return Applied.CHANGED_VIEW;
    }

    /** Welcomed, and every co-member shows online (the bench's definition of a converged view). */
    boolean viewShowsAllOnline() {
        return open && onlineInView == watched.length;
    }

    int slotOf(int otherUser) {
        if (watched.length > 32) {
            // a thread of thousands: a linear scan per status would cost O(members) per delivery
            if (slotIndex == null) {
                int max = 0;
                for (int w : watched) {
                    max = Math.max(max, w);
                }
                slotIndex = new int[max + 1];
                for (int i = 0; i < watched.length; i++) {
                    slotIndex[watched[i]] = i + 1;
                }
            }
            return otherUser < 0 || otherUser >= slotIndex.length ? -1 : slotIndex[otherUser] - 1;
        }
        for (int i = 0; i < watched.length; i++) {
            if (watched[i] == otherUser) {
                return i;
            }
        }
        return -1;
    }
}
