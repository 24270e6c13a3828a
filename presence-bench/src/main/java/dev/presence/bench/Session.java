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

    int slotOf(int otherUser) {
        for (int i = 0; i < watched.length; i++) {
            if (watched[i] == otherUser) {
                return i;
            }
        }
        return -1;
    }
}
