package dev.presence.server.presence;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The live sessions of each user, keyed by session, never by user alone: a second device adds a session,
 * it does not replace the first. Owned by the presence hub thread.
 */
final class SessionRegistry {

    private final Map<String, List<LiveSession>> byUser = new HashMap<>();
    private int size;

    void add(LiveSession session) {
        byUser.computeIfAbsent(session.userId(), u -> new ArrayList<>(1)).add(session);
        size++;
    }

    /** Removes exactly this session; returns how many sessions its user still has, or -1 if unknown. */
    int remove(LiveSession session) {
        List<LiveSession> sessions = byUser.get(session.userId());
        if (sessions == null || !sessions.remove(session)) {
            return -1;
        }
        size--;
        if (sessions.isEmpty()) {
            byUser.remove(session.userId());
            return 0;
        }
        return sessions.size();
    }

    List<LiveSession> sessionsOf(String userId) {
        return byUser.getOrDefault(userId, List.of());
    }

    void forEach(Consumer<LiveSession> action) {
        byUser.values().forEach(list -> list.forEach(action));
    }

    int size() {
        return size;
    }
}
