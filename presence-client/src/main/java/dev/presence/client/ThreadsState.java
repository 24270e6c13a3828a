package dev.presence.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.presence.client.api.ChatThread;
import dev.presence.client.api.Invitation;
import dev.presence.client.api.Member;
import dev.presence.client.api.Message;
import dev.presence.client.api.PresenceApi;
import dev.presence.client.api.User;
import dev.presence.client.api.UserStatus;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.function.UnaryOperator;

/**
 * A live view of the user's threads and of who is online in them: loaded over HTTP, kept current by the
 * server's events, resynchronised by every {@code welcome}.
 *
 * <ul>
 *   <li>{@code welcome} replaces the whole presence view (that is how a reconnect catches up);</li>
 *   <li>{@code user_status_changed} applies only if its version is greater than the one held for that user,
 *       and updates that user in every thread at once; each entry of a {@code status_batch} is applied the
 *       same way, one after the other;</li>
 *   <li>{@code message_created}, {@code user_profile_updated}, {@code invitation_created},
 *       {@code invitation_accepted}, {@code thread_member_left} (when it names me, the thread goes) update
 *       the threads, members and invitations; {@code invitation_declined} is passed on as a notice.</li>
 * </ul>
 *
 * <p>Readers call {@link #snapshot()} from any thread and get an immutable, consistent view; changes are
 * applied one at a time and each one that changes something (or is a notice) swaps in a new snapshot and then
 * tells every {@link ThreadsListener} exactly once.
 */
public final class ThreadsState {

    /** Live messages kept per thread unless configured otherwise. */
    public static final int DEFAULT_MESSAGES_PER_THREAD = 100;

    private static final System.Logger LOG = System.getLogger(ThreadsState.class.getName());

    private final Object lock = new Object();
    private final List<ThreadsListener> listeners = new CopyOnWriteArrayList<>();
    private final int messagesPerThread;
    private volatile ThreadsSnapshot current = ThreadsSnapshot.empty();
    /** My user id, from the last {@code welcome}: a {@code thread_member_left} naming it means the thread goes. */
    private volatile String me;
    private Executor reloadExecutor;

    public ThreadsState() {
        this(DEFAULT_MESSAGES_PER_THREAD);
    }

    /** @param messagesPerThread how many live messages to keep per thread */
    public ThreadsState(int messagesPerThread) {
        if (messagesPerThread < 0) {
            throw new IllegalArgumentException("messagesPerThread must not be negative");
        }
        this.messagesPerThread = messagesPerThread;
    }

    /** The current view; immutable. */
    public ThreadsSnapshot snapshot() {
        return current;
    }

    public void addListener(ThreadsListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    public void removeListener(ThreadsListener listener) {
        listeners.remove(listener);
    }

    // ---- wiring

    /**
     * Feeds this state from {@code client}'s messages. Returns a handle that detaches it again.
     */
    public PresenceClient.Registration attach(PresenceClient client) {
        List<PresenceClient.Registration> registrations = new ArrayList<>();
        for (String type : List.of("welcome", "user_status_changed", "status_batch", "message_created",
                "user_profile_updated", "invitation_created", "invitation_accepted", "invitation_declined",
                "thread_member_left")) {
            registrations.add(client.registerMessageHandler(type, this::apply));
        }
        return () -> registrations.forEach(PresenceClient.Registration::remove);
    }

    /**
     * As {@link #attach(PresenceClient, PresenceApi, Executor)}, with the HTTP reloads on a daemon thread of this
     * state's own.
     */
    public PresenceClient.Registration attach(PresenceClient client, PresenceApi api) {
        return attach(client, api, reloads());
    }

    /**
     * As {@link #attach(PresenceClient)}, and also reloads the threads over HTTP after every {@code welcome}
     * (membership may have changed while the client was away) and when an event names a thread this view
     * does not know. The HTTP calls run on {@code executor}, never on the client's event loop.
     */
    public PresenceClient.Registration attach(PresenceClient client, PresenceApi api, Executor executor) {
        PresenceClient.Registration events = attach(client);
        Runnable reload = () -> executor.execute(() -> {
            try {
                load(api);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "Could not reload threads: {0}", e.getMessage());
            }
        });
        PresenceClient.Registration onWelcome = client.registerMessageHandler("welcome", m -> reload.run());
        MessageHandler unknownThread = m -> {
            String threadId = m.path("thread_id").asText(null);
            if (threadId != null && current.thread(threadId).isEmpty()) {
                reload.run();
            }
        };
        PresenceClient.Registration onMessage = client.registerMessageHandler("message_created", unknownThread);
        PresenceClient.Registration onAccepted = client.registerMessageHandler("invitation_accepted", unknownThread);
        return () -> {
            events.remove();
            onWelcome.remove();
            onMessage.remove();
            onAccepted.remove();
        };
    }

    private synchronized Executor reloads() {
        if (reloadExecutor == null) {
            reloadExecutor = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "presence-threads-reload");
                t.setDaemon(true);
                return t;
            });
        }
        return reloadExecutor;
    }

    /** Loads threads and invitations over HTTP (blocking) and applies them. */
    public void load(PresenceApi api) {
        List<ChatThread> threads = api.threads();
        List<Invitation> invitations = api.invitations();
        applyThreads(threads, invitations);
    }

    /** Applies one server message by its {@code type}; unknown types are ignored. */
    public void apply(JsonNode message) {
        switch (ServerMessages.type(message)) {
            case "welcome" -> applyWelcome(ServerMessages.welcome(message));
            case "user_status_changed" -> applyStatus(ServerMessages.status(message), ServerMessages.timestamp(message));
            case "status_batch" -> {
                for (JsonNode entry : message.path("statuses")) {
                    applyStatus(ServerMessages.status(entry), ServerMessages.timestamp(entry));
                }
            }
            case "message_created" -> applyMessage(ServerMessages.message(message));
            case "user_profile_updated" -> applyProfile(ServerMessages.user(message));
            case "invitation_created" -> applyInvitation(ServerMessages.invitation(message));
            case "invitation_accepted" -> applyMemberJoined(ServerMessages.text(message, "thread_id"),
                    ServerMessages.text(message, "invitation_id"), ServerMessages.member(message));
            case "invitation_declined" -> applyInvitationDeclined(ServerMessages.text(message, "invitation_id"),
                    ServerMessages.text(message, "thread_id"));
            case "thread_member_left" -> applyMemberLeft(ServerMessages.text(message, "thread_id"),
                    ServerMessages.text(message, "user_id"));
            default -> { }
        }
    }

    /** My user id, once a {@code welcome} has said it. */
    public Optional<String> me() {
        return Optional.ofNullable(me);
    }

    // ---- changes

    /** Replaces threads and invitations (from HTTP); known statuses with versions still win over the HTTP ones. */
    public boolean applyThreads(List<ChatThread> threads, List<Invitation> invitations) {
        return change(s -> {
            List<ChatThread> overlaid = new ArrayList<>();
            for (ChatThread thread : threads) {
                overlaid.add(withStatuses(thread, s.presence()));
            }
            if (overlaid.equals(s.threads()) && invitations.equals(s.invitations())) {
                return s;
            }
            return next(s, overlaid, s.presence(), invitations, s.messages());
        }, new ThreadsChange.ThreadsLoaded());
    }

    /** A {@code welcome}: remembers who I am, and the presence view becomes exactly its presence. */
    public void applyWelcome(Welcome welcome) {
        if (!welcome.userId().isEmpty()) {
            me = welcome.userId();
        }
        applyWelcome(welcome.presence());
    }

    /** A {@code welcome}'s presence: the presence view becomes exactly {@code presence}. Always counts as a change. */
    public void applyWelcome(List<UserStatus> presence) {
        synchronized (lock) {
            ThreadsSnapshot s = current;
            Map<String, UserStatus> replaced = new HashMap<>();
            List<UserStatus> flipped = new ArrayList<>();
            for (UserStatus status : presence) {
                replaced.put(status.userId(), status);
                UserStatus before = s.presence().get(status.userId());
                boolean wasOnline = before != null ? before.online()
                        : s.member(status.userId()).map(Member::online).orElse(!status.online());
                if (wasOnline != status.online()) {
                    flipped.add(status);
                }
            }
            List<ChatThread> threads = new ArrayList<>();
            for (ChatThread thread : s.threads()) {
                threads.add(withStatuses(thread, replaced));
            }
            publish(next(s, threads, replaced, s.invitations(), s.messages()),
                    new ThreadsChange.PresenceReplaced(flipped));
        }
    }

    /**
     * A {@code user_status_changed}: applied only if its version is greater than the one held for that user.
     *
     * @return true if applied
     */
    public boolean applyStatus(UserStatus status, long timestampSeconds) {
        return change(s -> {
            UserStatus held = s.presence().get(status.userId());
            if (held != null && held.version() >= status.version()) {
                return s; // stale or duplicate: an older event arriving late must not undo a newer one
            }
            Map<String, UserStatus> presence = new HashMap<>(s.presence());
            presence.put(status.userId(), status);
            List<ChatThread> threads = mapMembers(s.threads(), status.userId(),
                    m -> m.withStatus(status.online(), status.lastSeen()));
            return next(s, threads, presence, s.invitations(), s.messages());
        }, new ThreadsChange.StatusChanged(status, timestampSeconds));
    }

    /** A {@code message_created}; a message already held is ignored. */
    public boolean applyMessage(Message message) {
        return change(s -> {
            List<Message> held = s.messages(message.threadId());
            if (messagesPerThread == 0 || held.stream().anyMatch(m -> m.id().equals(message.id()))) {
                return s;
            }
            List<Message> kept = new ArrayList<>(held);
            kept.add(message);
            if (kept.size() > messagesPerThread) {
                kept = kept.subList(kept.size() - messagesPerThread, kept.size());
            }
            Map<String, List<Message>> messages = new HashMap<>(s.messages());
            messages.put(message.threadId(), List.copyOf(kept));
            return next(s, s.threads(), s.presence(), s.invitations(), messages);
        }, new ThreadsChange.MessageReceived(message));
    }

    /** A {@code user_profile_updated}: the user's names change in every thread. */
    public boolean applyProfile(User user) {
        return change(s -> {
            List<ChatThread> threads = mapMembers(s.threads(), user.id(), m -> m.withProfile(user));
            if (threads.equals(s.threads())) {
                return s;
            }
            return next(s, threads, s.presence(), s.invitations(), s.messages());
        }, new ThreadsChange.ProfileUpdated(user));
    }

    /** An {@code invitation_created} addressed to me; one already held is ignored. */
    public boolean applyInvitation(Invitation invitation) {
        return change(s -> {
            if (s.invitations().stream().anyMatch(i -> i.id().equals(invitation.id()))) {
                return s;
            }
            List<Invitation> invitations = new ArrayList<>(s.invitations());
            invitations.add(invitation);
            return next(s, s.threads(), s.presence(), invitations, s.messages());
        }, new ThreadsChange.InvitationReceived(invitation));
    }

    /**
     * An {@code invitation_accepted}: {@code member} joins the thread (if this view knows it), and the invitation,
     * if it was addressed to me, is no longer pending.
     */
    public boolean applyMemberJoined(String threadId, String invitationId, Member member) {
        return change(s -> {
            List<Invitation> invitations = s.invitations().stream()
                    .filter(i -> invitationId == null || !i.id().equals(invitationId)).toList();
            Member joined = overlay(member, s.presence());
            List<ChatThread> threads = new ArrayList<>();
            for (ChatThread thread : s.threads()) {
                if (thread.id().equals(threadId)) {
                    List<Member> users = new ArrayList<>();
                    for (Member m : thread.users()) {
                        if (!m.id().equals(joined.id())) {
                            users.add(m);
                        }
                    }
                    users.add(joined);
                    thread = thread.withUsers(users);
                }
                threads.add(thread);
            }
            if (threads.equals(s.threads()) && invitations.equals(s.invitations())) {
                return s;
            }
            return next(s, threads, s.presence(), invitations, s.messages());
        }, new ThreadsChange.MemberJoined(threadId, invitationId, member));
    }

    /**
     * A {@code thread_member_left}: the user leaves the thread. If it is me (leaving from another device), the
     * thread leaves this view. A status no longer shared through any thread is forgotten, as the server stops
     * sending it: a snapshot that kept it would go stale.
     */
    public boolean applyMemberLeft(String threadId, String userId) {
        if (threadId == null || userId == null) {
            return false;
        }
        boolean itIsMe = userId.equals(me);
        synchronized (lock) {
            ThreadsSnapshot s = current;
            Optional<ChatThread> thread = s.thread(threadId);
            if (thread.isEmpty()) {
                return false;
            }
            if (itIsMe) {
                List<ChatThread> threads = s.threads().stream().filter(t -> !t.id().equals(threadId)).toList();
                Map<String, UserStatus> presence = new HashMap<>(s.presence());
                thread.get().users().forEach(m -> forgetIfNoLongerShared(presence, threads, m.id()));
                Map<String, List<Message>> messages = new HashMap<>(s.messages());
                messages.remove(threadId);
                publish(next(s, threads, presence, s.invitations(), messages), new ThreadsChange.ThreadLeft(thread.get()));
                return true;
            }
            Optional<Member> leaver = thread.get().member(userId);
            if (leaver.isEmpty()) {
                return false;
            }
            List<ChatThread> threads = new ArrayList<>();
            for (ChatThread t : s.threads()) {
                threads.add(t.id().equals(threadId)
                        ? t.withUsers(t.users().stream().filter(m -> !m.id().equals(userId)).toList()) : t);
            }
            Map<String, UserStatus> presence = new HashMap<>(s.presence());
            forgetIfNoLongerShared(presence, threads, userId);
            publish(next(s, threads, presence, s.invitations(), s.messages()),
                    new ThreadsChange.MemberLeft(threadId, leaver.get()));
            return true;
        }
    }

    /**
     * An {@code invitation_declined}: passed on to listeners as a notice (with a new revision of an otherwise
     * unchanged view); if the invitation was pending in this view (addressed to me), it no longer is.
     */
    public void applyInvitationDeclined(String invitationId, String threadId) {
        synchronized (lock) {
            ThreadsSnapshot s = current;
            List<Invitation> invitations = s.invitations().stream()
                    .filter(i -> !i.id().equals(invitationId)).toList();
            publish(next(s, s.threads(), s.presence(), invitations, s.messages()),
                    new ThreadsChange.InvitationDeclined(invitationId, threadId));
        }
    }

    // ---- plumbing

    private static void forgetIfNoLongerShared(Map<String, UserStatus> presence, List<ChatThread> threads,
                                               String userId) {
        if (threads.stream().noneMatch(t -> t.member(userId).isPresent())) {
            presence.remove(userId);
        }
    }

    private boolean change(UnaryOperator<ThreadsSnapshot> update, ThreadsChange change) {
        synchronized (lock) {
            ThreadsSnapshot before = current;
            ThreadsSnapshot after = update.apply(before);
            if (after == before) {
                return false;
            }
            publish(after, change);
            return true;
        }
    }

    /** Swaps the snapshot in, then tells listeners; under the lock so every listener sees changes in order. */
    private void publish(ThreadsSnapshot after, ThreadsChange change) {
        current = after;
        for (ThreadsListener listener : listeners) {
            try {
                listener.onChange(after, change);
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "A threads listener failed", e);
            }
        }
    }

    private static ThreadsSnapshot next(ThreadsSnapshot s, List<ChatThread> threads, Map<String, UserStatus> presence,
                                        List<Invitation> invitations, Map<String, List<Message>> messages) {
        return new ThreadsSnapshot(s.revision() + 1, threads, presence, invitations, messages);
    }

    private static List<ChatThread> mapMembers(List<ChatThread> threads, String userId, UnaryOperator<Member> f) {
        List<ChatThread> result = new ArrayList<>(threads.size());
        for (ChatThread thread : threads) {
            if (thread.member(userId).isEmpty()) {
                result.add(thread);
                continue;
            }
            List<Member> users = new ArrayList<>(thread.users().size());
            for (Member m : thread.users()) {
                users.add(m.id().equals(userId) ? f.apply(m) : m);
            }
            result.add(thread.withUsers(users));
        }
        return result;
    }

    private static ChatThread withStatuses(ChatThread thread, Map<String, UserStatus> presence) {
        List<Member> users = new ArrayList<>(thread.users().size());
        for (Member m : thread.users()) {
            users.add(overlay(m, presence));
        }
        return thread.withUsers(users);
    }

    private static Member overlay(Member m, Map<String, UserStatus> presence) {
        UserStatus status = presence.get(m.id());
        return status == null ? m : m.withStatus(status.online(), status.lastSeen());
    }

}
