package dev.presence.server.presence;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.EventExecutor;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Sends one encoded event to many sessions without waiting for any of them: the bytes are encoded once and
 * shared, and the sessions are grouped by event loop so each loop gets one task for the whole batch. A slow
 * session cannot hold up the others; its own bounded queue decides its fate.
 */
final class Fanout {

    private final SessionRegistry registry;

    Fanout(SessionRegistry registry) {
        this.registry = registry;
    }

    /** How far a fanout went: users with at least one session, and sessions. */
    record Reach(int users, int sessions) {
    }

    /** Sends {@code json} to every live session of each user. */
    Reach toUsers(Collection<String> userIds, byte[] json) {
        Map<EventExecutor, List<LiveSession>> byLoop = new HashMap<>();
        int users = 0;
        int count = 0;
        for (String userId : userIds) {
            List<LiveSession> sessions = registry.sessionsOf(userId);
            if (!sessions.isEmpty()) {
                users++;
            }
            for (LiveSession session : sessions) {
                byLoop.computeIfAbsent(session.executor(), e -> new ArrayList<>()).add(session);
                count++;
            }
        }
        if (count == 0) {
            return new Reach(0, 0);
        }
        ByteBuf shared = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(json));
        byLoop.forEach((loop, sessions) -> loop.execute(() -> {
            for (LiveSession session : sessions) {
                session.send(shared.duplicate());
                session.flush();
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
