package dev.presence.client;

import dev.presence.client.api.ChatThread;
import dev.presence.client.api.Invitation;
import dev.presence.client.api.Member;
import dev.presence.client.api.Message;
import dev.presence.client.api.UserStatus;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One consistent, immutable view of the user's threads and of who is online, as held by {@link ThreadsState}.
 * Safe to keep and read from any thread; a change produces a new snapshot.
 *
 * @param revision    counts the changes applied so far (0 for the empty view)
 * @param threads     my threads; each member's {@code online}/{@code lastSeen} reflects the newest status known
 * @param presence    the newest status known per user id, with its version
 * @param invitations invitations addressed to me that I have not accepted yet
 * @param messages    recent messages per thread id that arrived live, oldest first (bounded)
 */
public record ThreadsSnapshot(long revision, List<ChatThread> threads, Map<String, UserStatus> presence,
                              List<Invitation> invitations, Map<String, List<Message>> messages) {

    public ThreadsSnapshot {
        threads = List.copyOf(threads);
        presence = Map.copyOf(presence);
        invitations = List.copyOf(invitations);
        messages = Map.copyOf(messages);
    }

    /** The empty view. */
    public static ThreadsSnapshot empty() {
        return new ThreadsSnapshot(0, List.of(), Map.of(), List.of(), Map.of());
    }

    /** The thread with this id, if I am a member. */
    public Optional<ChatThread> thread(String threadId) {
        return threads.stream().filter(t -> t.id().equals(threadId)).findFirst();
    }

    /** The user with this id as a member of any of my threads. */
    public Optional<Member> member(String userId) {
        return threads.stream().flatMap(t -> t.users().stream()).filter(m -> m.id().equals(userId)).findFirst();
    }

    /** The newest status known for this user. */
    public Optional<UserStatus> status(String userId) {
        return Optional.ofNullable(presence.get(userId));
    }

    /** Whether this user is online as far as this view knows (from their status, else from their membership). */
    public boolean isOnline(String userId) {
        UserStatus status = presence.get(userId);
        return status != null ? status.online() : member(userId).map(Member::online).orElse(false);
    }

    /** Recent live messages of a thread, oldest first. */
    public List<Message> messages(String threadId) {
        return messages.getOrDefault(threadId, List.of());
    }
}
