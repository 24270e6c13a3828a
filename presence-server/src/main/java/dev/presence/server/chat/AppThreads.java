package dev.presence.server.chat;

import dev.presence.server.domain.ThreadView;
import dev.presence.server.presence.PresenceHub;
import dev.presence.server.store.AccountStore;
import dev.presence.server.store.ThreadStore;
import dev.presence.server.store.ThreadWrite;

import java.util.List;

import static dev.presence.server.chat.StoreFailures.translated;

/**
 * The server API's threads: the app puts a thread with its own id and its full member list, adds members or
 * removes one. A member id the server does not know is created as an app user (named by the id until the app
 * names them). Joins and leaves take effect as an accepted invitation and a leave do: under the thread's
 * {@link MembershipLocks membership lock}, the joiners and the members see each other's status at once
 * ({@code hub.joined}), and a leaver's removal is told with {@code thread_member_left} ({@code hub.left}).
 * Every call blocks on the store, so they run on workers.
 */
public final class AppThreads {

    /** Members per call. */
    public static final int MAX_MEMBERS = 10_000;

    private final ThreadStore store;
    private final AccountStore accounts;
    private final PresenceHub hub;
    private final Threads threads;
    private final MembershipLocks locks;

    /** @param threads how a thread is shown (members with their statuses) */
    public AppThreads(ThreadStore store, AccountStore accounts, PresenceHub hub, Threads threads,
                      MembershipLocks locks) {
        this.store = store;
        this.accounts = accounts;
        this.hub = hub;
        this.threads = threads;
        this.locks = locks;
    }

    /** A thread as put: whether it was new, and how it is now. */
    public record Put(boolean created, ThreadView thread) {
    }

    /**
     * Creates the thread or retitles it, and replaces its members with {@code memberIds}.
     *
     * @throws ChatException 400 for a bad id, title or member list
     */
    public Put put(String threadId, String title, List<String> memberIds) {
        String id = AppIds.require("thread id", threadId);
        if (title == null || title.isBlank()) {
            throw ChatException.invalid("title is required and must not be empty");
        }
        String shownTitle = title.strip();
        FieldRules.requireLabel("title", shownTitle, FieldRules.MAX_TITLE);
        List<String> members = AppIds.requireAll("members", memberIds, MAX_MEMBERS);
        return translated(() -> {
            accounts.createMissingAppUsers(members);
            ThreadWrite write;
            synchronized (locks.of(id)) {
                write = store.putThread(id, shownTitle, members);
                write.added().forEach(user -> hub.joined(id, user));
                write.removed().forEach(user -> hub.left(id, user));
            }
            return new Put(write.created(), threads.view(write.thread()));
        });
    }

    /**
     * Adds members to a thread; members already in it stay as they are.
     *
     * @return the users added (not members before), in the order given
     * @throws ChatException 400 for bad ids; 404 if the thread is unknown
     */
    public List<String> addMembers(String threadId, List<String> userIds) {
        String id = AppIds.require("thread id", threadId);
        List<String> users = AppIds.requireAll("user_ids", userIds, MAX_MEMBERS);
        return translated(() -> {
            if (store.findThread(id).isEmpty()) { // threads are never deleted: still there inside the lock
                throw ChatException.notFound("thread '" + id + "'");
            }
            accounts.createMissingAppUsers(users);
            synchronized (locks.of(id)) {
                List<String> added = store.addMembers(id, users);
                added.forEach(user -> hub.joined(id, user));
                return added;
            }
        });
    }

    /**
     * Removes a member; removing someone who is not a member does nothing (a repeated call is harmless).
     *
     * @throws ChatException 400 for bad ids; 404 if the thread is unknown
     */
    public void removeMember(String threadId, String userId) {
        String id = AppIds.require("thread id", threadId);
        String user = AppIds.require("user id", userId);
        translated(() -> {
            if (store.findThread(id).isEmpty()) {
                throw ChatException.notFound("thread '" + id + "'");
            }
            synchronized (locks.of(id)) {
                if (store.leaveThread(id, user)) {
                    hub.left(id, user);
                }
            }
        });
    }
}
