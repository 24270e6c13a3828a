package dev.presence.server.presence;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The live sessions of each user, keyed by session, never by user alone: a second device adds a session,
 * it does not replace the first. Owned by the presence hub thread.
 *
 * <p>Most users have one session, so a user's value is that session itself, and only a user with several holds
 * a list: a list per user would cost every idle session 48 bytes of heap for nothing.
 */
final class SessionRegistry {

    /** Per user: one {@link LiveSession}, or a {@code List<LiveSession>} of two or more. */
    private final Map<String, Object> byUser = new HashMap<>();
    private int size;

    void add(LiveSession session) {
        byUser.merge(session.userId(), session, SessionRegistry::plus);
        size++;
    }

    @SuppressWarnings("unchecked")
    private static Object plus(Object held, Object added) {
        if (held instanceof List<?> list) {
            ((List<Object>) list).add(added);
            return list;
        }
        List<Object> both = new ArrayList<>(2);
        both.add(held);
        both.add(added);
        return both;
    }

    /** Removes exactly this session; returns how many sessions its user still has, or -1 if unknown. */
    int remove(LiveSession session) {
        Object held = byUser.get(session.userId());
        if (held == session) {
            byUser.remove(session.userId());
            size--;
            return 0;
        }
        if (!(held instanceof List<?> list) || !list.remove(session)) {
            return -1;
        }
        size--;
        if (list.size() == 1) {
            byUser.put(session.userId(), list.get(0));
            return 1;
        }
        return list.size();
    }

    /** The user's live sessions (a view for reading, or a new list of one); empty if none. */
    @SuppressWarnings("unchecked")
    List<LiveSession> sessionsOf(String userId) {
        Object held = byUser.get(userId);
        if (held == null) {
            return List.of();
        }
        return held instanceof LiveSession one ? List.of(one) : (List<LiveSession>) held;
    }

    /** Calls {@code action} with each live session of the user; returns how many there were. */
    @SuppressWarnings("unchecked")
    int forEachOf(String userId, Consumer<LiveSession> action) {
        Object held = byUser.get(userId);
        if (held == null) {
            return 0;
        }
        if (held instanceof LiveSession one) {
            action.accept(one);
            return 1;
        }
        List<LiveSession> list = (List<LiveSession>) held;
        list.forEach(action);
        return list.size();
    }

    @SuppressWarnings("unchecked")
    void forEach(Consumer<LiveSession> action) {
        for (Object held : byUser.values()) {
            if (held instanceof LiveSession one) {
                action.accept(one);
            } else {
                ((List<LiveSession>) held).forEach(action);
            }
        }
    }

    int size() {
        return size;
    }
}
