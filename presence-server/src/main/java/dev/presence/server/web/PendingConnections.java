package dev.presence.server.web;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Caps the connections per client address that have not proved anything yet: every HTTP connection, and a
 * WebSocket until it authenticates. Without it one client can open idle or half-sent connections until the
 * server-wide cap is reached and lock everyone else out; with it, that client only exhausts its own share.
 * Authenticated WebSockets do not count: a user may hold as many sessions as they like, and users behind one
 * NAT address are many.
 *
 * <p>A connection holds a slot from {@link #admit} until {@link #release}: the gateway calls it when the
 * WebSocket session authenticates, and whoever admitted the connection must call it when it closes (the
 * server's one shared close listener does, so a connection costs no listener of its own). An authenticated
 * session keeps no trace of its slot: the channel attribute is removed.
 */
public final class PendingConnections {

    private static final Logger log = LoggerFactory.getLogger(PendingConnections.class);
    private static final AttributeKey<Slot> SLOT = AttributeKey.valueOf(PendingConnections.class, "slot");

    private final int maxPerAddress;
    private final ConcurrentHashMap<InetAddress, Integer> pending = new ConcurrentHashMap<>();
    private final AtomicLong lastWarning = new AtomicLong();

    public PendingConnections(int maxPerAddress) {
        this.maxPerAddress = maxPerAddress;
    }

    /**
     * Takes a slot for a new connection; false when its address already holds all of its slots (the caller
     * refuses the connection).
     */
    public boolean admit(Channel channel) {
        if (!(channel.remoteAddress() instanceof InetSocketAddress remote) || remote.getAddress() == null) {
            return true; // not an IP connection: nothing to count by
        }
        InetAddress address = remote.getAddress();
        boolean[] admitted = {false};
        pending.compute(address, (a, n) -> {
            int held = n == null ? 0 : n;
            if (held >= maxPerAddress) {
                return n;
            }
            admitted[0] = true;
            return held + 1;
        });
        if (!admitted[0]) {
            long now = System.currentTimeMillis();
            long last = lastWarning.get();
            if (now - last > 10_000 && lastWarning.compareAndSet(last, now)) {
                log.warn("{} holds {} connections that have not authenticated or are HTTP: refusing more from it",
                        address.getHostAddress(), maxPerAddress);
            }
            return false;
        }
        channel.attr(SLOT).set(new Slot(this, address));
        if (!channel.isOpen()) {
            release(channel); // closed already: its close listener has run and cannot give the slot back
        }
        return true;
    }

    /** Gives back the connection's slot, if it still holds one: it has authenticated, or it closed. */
    @SuppressWarnings("deprecation") // getAndRemove, unlike getAndSet(null), leaves nothing on the channel
    public static void release(Channel channel) {
        Slot slot = channel.attr(SLOT).getAndRemove();
        if (slot != null) {
            slot.owner.pending.computeIfPresent(slot.address, (a, n) -> n <= 1 ? null : n - 1);
        }
    }

    /** Slots held by an address now (for tests and metrics). */
    int held(InetAddress address) {
        return pending.getOrDefault(address, 0);
    }

    /** One connection's slot. */
    private record Slot(PendingConnections owner, InetAddress address) {
    }
}
