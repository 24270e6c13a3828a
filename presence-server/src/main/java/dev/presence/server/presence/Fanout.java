package dev.presence.server.presence;

import dev.presence.server.protocol.OutboundFrame;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.EventExecutor;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Sends one event to many sessions without waiting for any of them: the sessions are grouped by event loop so each
 * loop gets one task for the whole batch, which encodes the whole WebSocket frame once and writes the same bytes to
 * every recipient (each session flushes once per pass of its loop, however many events the pass brought). A slow
 * session cannot hold up the others; its own bounded queue decides its fate.
 */
final class Fanout {

    private static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;

    private final SessionRegistry registry;

    Fanout(SessionRegistry registry) {
        this.registry = registry;
    }

    /** How far a fanout went: users with at least one session, and sessions. */
    record Reach(int users, int sessions) {
    }

    /** Sends an event to every live session of each user; its frame is encoded once, here. */
    Reach toUsers(Collection<String> userIds, byte[] json) {
        return toUsers(userIds, json, false);
    }

    /** Sends a {@code user_status_changed} to every live session of each user (statuses may be batched). */
    Reach statusToUsers(Collection<String> userIds, byte[] json) {
        return toUsers(userIds, json, true);
    }

    private Reach toUsers(Collection<String> userIds, byte[] json, boolean status) {
        Map<EventExecutor, List<LiveSession>> byLoop = new HashMap<>();
        Consumer<LiveSession> add = session -> byLoop.computeIfAbsent(session.executor(), e -> new ArrayList<>())
                .add(session);
        int users = 0;
        int count = 0;
        for (String userId : userIds) {
            int sessions = registry.forEachOf(userId, add);
            if (sessions > 0) {
                users++;
                count += sessions;
            }
        }
        if (count == 0) {
            return new Reach(0, 0);
        }
        // each loop encodes the frame once for all its sessions, from its own pool: the hub thread never takes
        // direct memory of its own (a pool arena more would add megabytes of RSS for nothing)
        byLoop.forEach((loop, sessions) -> loop.execute(() -> {
            OutboundFrame event = status ? OutboundFrame.status(json, ALLOC) : OutboundFrame.of(json, ALLOC);
            try {
                for (LiveSession session : sessions) {
                    session.send(event);
                }
            } finally {
                event.frame().release();
            }
        }));
        return new Reach(users, count);
    }

    /** Sends {@code json} to one session. */
    void toSession(LiveSession session, byte[] json) {
        session.executor().execute(() -> {
            session.send(Unpooled.wrappedBuffer(json));
            session.flush();
        });
    }
}
