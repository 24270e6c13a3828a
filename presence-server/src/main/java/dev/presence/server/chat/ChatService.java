package dev.presence.server.chat;

import dev.presence.core.UserStatus;
import dev.presence.server.gateway.Authenticator;
import dev.presence.server.presence.PresenceHub;
import dev.presence.server.protocol.Frames;
import dev.presence.server.store.ChatStore;
import dev.presence.server.store.StoredCredentials;
import dev.presence.server.store.UsernameTakenException;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * The chat domain behind the HTTP API: users, tokens, threads, invitations, messages. Every method blocks on
 * the store, so it runs on worker threads. Membership changes go to the presence hub, which keeps the
 * audience index and sends the events to exactly the members they concern.
 */
public final class ChatService implements Authenticator {

    private static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9_.-]{3,32}");
    private static final int MIN_PASSWORD = 8;
    private static final int MAX_PASSWORD = 128;
    private static final int MAX_DISPLAY_NAME = 100;
    private static final int MAX_TITLE = 200;
    private static final int MAX_TEXT = 4000;

    private final ChatStore store;
    private final PresenceHub hub;
    private final Executor workers;
    private final Object[] membershipLocks = new Object[64];
    private final TokenCache tokens = new TokenCache(200_000);

    public ChatService(ChatStore store, PresenceHub hub, Executor workers) {
        this.store = store;
        this.hub = hub;
        this.workers = workers;
        for (int i = 0; i < membershipLocks.length; i++) {
            membershipLocks[i] = new Object();
        }
    }

    /** A new thread with its members, as the API shows it. */
    public record ThreadView(ChatThread thread, List<Member> members) {
    }

    /** A member: the user and their current status. */
    public record Member(User user, UserStatus status) {
    }

    /** What a login gives: the token (shown once) and the user. */
    public record Login(String token, User user) {
    }

    // --- users and tokens ----------------------------------------------------------------------------

    public User signUp(String username, String password, String displayName) {
        if (username == null || !USERNAME.matcher(username).matches()) {
            throw ChatException.invalid("username must be 3 to 32 letters, digits, '_', '.' or '-'");
        }
        if (password == null || password.length() < MIN_PASSWORD || password.length() > MAX_PASSWORD) {
            throw ChatException.invalid("password must be " + MIN_PASSWORD + " to " + MAX_PASSWORD + " characters");
        }
        if (!Text.isWellFormed(password)) {
            throw ChatException.invalid("password must be text without NUL or unpaired surrogate characters");
        }
        String name = displayName == null || displayName.isBlank() ? username : displayName.strip();
        requireLength("display_name", name, MAX_DISPLAY_NAME);
        // usernames are case-insensitive, so "Alice" cannot pass for "alice"
        String canonical = Text.canonicalUsername(username);
        try {
            return store.createUser(canonical, Passwords.hash(password), name);
        } catch (UsernameTakenException e) {
            throw ChatException.conflict("username_taken", "username '" + username + "' is taken");
        }
    }

    public Login logIn(String username, String password) {
        if (username == null || password == null) {
            throw ChatException.invalid("username and password are required");
        }
        if (!USERNAME.matcher(username).matches() || !Text.isWellFormed(password)) {
            Passwords.burnCheck("not a password");
            throw ChatException.unauthorized("wrong username or password");
        }
        Optional<StoredCredentials> credentials = store.findCredentials(Text.canonicalUsername(username));
        if (credentials.isEmpty()) {
            Passwords.burnCheck(password);
            throw ChatException.unauthorized("wrong username or password");
        }
        if (!Passwords.matches(password, credentials.get().passwordHash())) {
            throw ChatException.unauthorized("wrong username or password");
        }
        String token = Tokens.newToken();
        store.saveToken(Tokens.hash(token), credentials.get().user().id(), System.currentTimeMillis());
        return new Login(token, credentials.get().user());
    }

    /** Revokes the token and closes every socket opened with it (4401). */
    public void logOut(Identity identity) {
        tokens.revoke(identity.tokenHash());
        store.deleteToken(identity.tokenHash());
        hub.closeSessionsOfToken(identity.tokenHash());
    }

    /** Blocking token check, for the HTTP API on a worker. */
    public Optional<Identity> identify(String token) {
        if (token == null || token.isEmpty() || token.length() > 200) {
            return Optional.empty();
        }
        String hash = Tokens.hash(token);
        return tokens.identify(hash, () -> store.userIdForToken(hash)
                .flatMap(store::findUser)
                .map(user -> new Identity(user.id(), user.username(), hash)));
    }

    @Override
    public CompletableFuture<Optional<Identity>> authenticate(String token) {
        try {
            return CompletableFuture.supplyAsync(() -> identify(token), workers);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(e); // busy: the connection is told to come back later
        }
    }

    public User me(String userId) {
        return store.findUser(userId).orElseThrow(() -> ChatException.notFound("user"));
    }

    public User updateDisplayName(String userId, String displayName) {
        if (displayName == null || displayName.isBlank()) {
            throw ChatException.invalid("display_name must not be empty");
        }
        requireLength("display_name", displayName.strip(), MAX_DISPLAY_NAME);
        store.updateDisplayName(userId, displayName.strip());
        User user = me(userId);
        hub.toUserAndCoMembers(userId, Frames.profileUpdated(user));
        return user;
    }

    // --- threads ------------------------------------------------------------------------------------

    public List<ThreadView> threads(String userId) {
        List<ThreadView> views = new ArrayList<>();
        for (ChatThread thread : store.threadsOf(userId)) {
            views.add(view(thread));
        }
        return views;
    }

    public ThreadView createThread(String userId, String title) {
        if (title == null || title.isBlank()) {
            throw ChatException.invalid("title must not be empty");
        }
        requireLength("title", title.strip(), MAX_TITLE);
        ChatThread thread = store.createThread(title.strip(), userId);
        hub.joined(thread.id(), userId);
        return view(thread);
    }

    public ThreadView thread(String userId, String threadId) {
        return view(memberThread(userId, threadId));
    }

    public void leave(String userId, String threadId) {
        memberThread(userId, threadId);
        synchronized (membershipLock(threadId)) {
            if (store.leaveThread(threadId, userId)) {
                hub.left(threadId, userId);
            }
        }
    }

    /**
     * Membership changes of one thread are written to the store and handed to the hub under one lock, so the
     * hub's audience index sees them in the order the database did (a leave overtaking an accept would
     * leave a non-member hearing the thread). Held by workers only, never by an event loop or the hub.
     */
    private Object membershipLock(String threadId) {
        return membershipLocks[Math.floorMod(threadId.hashCode(), membershipLocks.length)];
    }

    private ChatThread memberThread(String userId, String threadId) {
        // a thread I am not in is "not found", so its existence is not disclosed
        if (threadId == null || !store.isMember(threadId, userId)) {
            throw ChatException.notFound("thread");
        }
        return store.findThread(threadId).orElseThrow(() -> ChatException.notFound("thread"));
    }

    private ThreadView view(ChatThread thread) {
        List<String> memberIds = store.members(thread.id());
        List<User> users = store.findUsers(memberIds);
        Map<String, UserStatus> statuses = statuses(memberIds);
        List<Member> members = new ArrayList<>(users.size());
        for (User user : users) {
            members.add(new Member(user, statuses.get(user.id())));
        }
        return new ThreadView(thread, members);
    }

    private Map<String, UserStatus> statuses(Collection<String> userIds) {
        List<String> ids = List.copyOf(userIds);
        return await(hub.call(engine -> {
            Map<String, UserStatus> result = new HashMap<>();
            for (String id : ids) {
                result.put(id, engine.tracker().status(id));
            }
            return result;
        }));
    }

    // --- invitations --------------------------------------------------------------------------------

    public Invitation invite(String userId, String threadId, String username) {
        ChatThread thread = memberThread(userId, threadId);
        if (username == null || username.isBlank()) {
            throw ChatException.invalid("username is required");
        }
        String wanted = username.strip();
        if (!USERNAME.matcher(wanted).matches()) {
            throw ChatException.notFound("user '" + wanted + "'");
        }
        User invitee = store.findCredentials(Text.canonicalUsername(wanted)).map(StoredCredentials::user)
                .orElseThrow(() -> ChatException.notFound("user '" + wanted + "'"));
        if (store.isMember(thread.id(), invitee.id())) {
            throw ChatException.conflict("already_member", invitee.username() + " is already a member");
        }
        if (store.hasPendingInvitation(thread.id(), invitee.id())) {
            throw ChatException.conflict("already_invited", invitee.username() + " is already invited");
        }
        Invitation invitation = store.createInvitation(thread.id(), userId, invitee.id());
        hub.toUsers(List.of(invitee.id()), Frames.invitationCreated(invitation));
        return invitation;
    }

    public List<Invitation> invitations(String userId) {
        return store.pendingInvitationsFor(userId);
    }

    public ThreadView accept(String userId, String invitationId) {
        Invitation invitation = store.findPendingInvitation(invitationId)
                .filter(i -> i.toUserId().equals(userId))
                .orElseThrow(() -> ChatException.notFound("invitation"));
        User user = me(userId);
        String threadId = invitation.threadId();
        synchronized (membershipLock(threadId)) {
            if (!store.acceptInvitation(invitation.id(), userId)) {
                throw ChatException.notFound("invitation");
            }
            hub.accepted(threadId, userId,
                    status -> Frames.invitationAccepted(threadId, invitation.id(), user, status));
        }
        return view(store.findThread(threadId).orElseThrow(() -> ChatException.notFound("thread")));
    }

    /**
     * The invitee declines a pending invitation: it stops being pending (the user may be invited again) and the
     * inviter's sessions get {@code invitation_declined}. Someone else's, an accepted or a declined
     * invitation is "not found", like an unknown one.
     */
    public void decline(String userId, String invitationId) {
        Invitation invitation = store.findPendingInvitation(invitationId)
                .filter(i -> i.toUserId().equals(userId))
                .orElseThrow(() -> ChatException.notFound("invitation"));
        if (!store.declineInvitation(invitation.id(), userId)) {
            throw ChatException.notFound("invitation"); // accepted or declined meanwhile
        }
        hub.toUsers(List.of(invitation.fromUserId()), Frames.invitationDeclined(invitation));
    }

    // --- messages -----------------------------------------------------------------------------------

    public List<Message> messages(String userId, String threadId, int limit, String before) {
        memberThread(userId, threadId);
        if (limit < 1 || limit > 200) {
            throw ChatException.invalid("limit must be between 1 and 200");
        }
        return store.messages(threadId, limit, before);
    }

    public Message send(String userId, String threadId, String text) {
        memberThread(userId, threadId);
        if (text == null || text.isBlank()) {
            throw ChatException.invalid("text must not be empty");
        }
        requireLength("text", text, MAX_TEXT);
        Message message = store.addMessage(threadId, userId, text);
        hub.toThread(threadId, Frames.messageCreated(message));
        return message;
    }

    // --- presence -----------------------------------------------------------------------------------

    public List<UserStatus> presence(String userId, Collection<String> userIds) {
        List<String> ids = List.copyOf(new LinkedHashSet<>(userIds));
        return await(hub.call(engine -> engine.visibleStatuses(userId, ids)));
    }

    private static void requireLength(String field, String value, int max) {
        if (value.length() > max) {
            throw ChatException.invalid(field + " must be at most " + max + " characters");
        }
    }

    private static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new ChatException(503, "busy", "the server is busy; try again shortly");
        }
    }
}
