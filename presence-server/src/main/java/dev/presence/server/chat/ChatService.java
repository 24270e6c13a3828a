package dev.presence.server.chat;

import dev.presence.core.UserStatus;
import dev.presence.server.config.ServerConfig;
import dev.presence.server.domain.ChatThread;
import dev.presence.server.domain.Identity;
import dev.presence.server.domain.Invitation;
import dev.presence.server.domain.Member;
import dev.presence.server.domain.Message;
import dev.presence.server.domain.ThreadView;
import dev.presence.server.domain.User;
import dev.presence.server.gateway.Authenticator;
import dev.presence.server.presence.PresenceHub;
import dev.presence.server.protocol.Frames;
import dev.presence.server.store.ChatStore;
import dev.presence.server.store.StoreException;
import dev.presence.server.store.StoredCredentials;
import dev.presence.server.store.UsernameTakenException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * The chat domain behind the HTTP API: users, tokens, threads, invitations, messages. Most methods block on
 * the store, so they run on worker threads. Signup and login never block: they check their input and hand the
 * rest (store and password hash) to a pool of its own ({@link PasswordPool}), answering with a future, so a
 * flood of them keeps that pool busy and nothing else. Membership changes go to the presence hub, which keeps
 * the audience index and sends the events to exactly the members they concern.
 */
public final class ChatService implements Authenticator {

    private static final Logger log = LoggerFactory.getLogger(ChatService.class);

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
    private final PasswordPool passwords;
    private final TokenCache tokens;
    private final int maxTokensPerUser;
    private final RateLimiter loginsPerAccount;
    private final RateLimiter loginsPerAddress;
    private final RateLimiter messagesPerUser;
    private final RateLimiter invitationsPerUser;

    /**
     * @param workers   where blocking store work runs (the caller's pool for the API)
     * @param passwords where password hashing runs, apart from everything else
     * @param config    token lifetime, tokens per user and rate limits
     */
    public ChatService(ChatStore store, PresenceHub hub, Executor workers, PasswordPool passwords,
                       ServerConfig config) {
        this.store = store;
        this.hub = hub;
        this.workers = workers;
        this.passwords = passwords;
        this.tokens = new TokenCache(new StoreTokens(), 200_000, config.tokenTtl(), System::currentTimeMillis);
        this.maxTokensPerUser = config.maxTokensPerUser();
        this.loginsPerAccount = new RateLimiter(config.rateLimits().loginsPerAccount());
        this.loginsPerAddress = new RateLimiter(config.rateLimits().loginsPerAddress());
        this.messagesPerUser = new RateLimiter(config.rateLimits().messagesPerUser());
        this.invitationsPerUser = new RateLimiter(config.rateLimits().invitationsPerUser());
        for (int i = 0; i < membershipLocks.length; i++) {
            membershipLocks[i] = new Object();
        }
    }

    /** What a login gives: the token (shown once) and the user. */
    public record Login(String token, User user) {
    }

    // --- users and tokens ----------------------------------------------------------------------------

    /**
     * Creates a user. The rules are checked here; the rest (is the name free, the hash, the insert) runs on
     * the password pool, and the future completes there.
     *
     * @throws ChatException 400, or 503 when the password pool is full; a taken name fails the future with 409
     */
    public CompletableFuture<User> signUp(String username, String password, String displayName) {
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
        requireLabel("display_name", name, MAX_DISPLAY_NAME);
        // usernames are case-insensitive, so "Alice" cannot pass for "alice"
        String canonical = Text.canonicalUsername(username);
        return passwords.submit(() -> {
            if (store.findCredentials(canonical).isPresent()) { // before spending a hash on it
                throw taken(username);
            }
            try {
                return store.createUser(canonical, Passwords.hash(password), name);
            } catch (UsernameTakenException e) {
                throw taken(username);
            }
        });
    }

    private static ChatException taken(String username) {
        return ChatException.conflict("username_taken", "username '" + username + "' is taken");
    }

    /**
     * Logs in: a new token for the user. Attempts are limited per account and per client address; a
     * successful one gives its attempt back, so only failures (and logins still running) count. The rest runs
     * on the password pool, so a flood of logins costs the general workers nothing: the user is looked up,
     * the password checked (an unknown user costs the same time), an old kind of hash replaced by Argon2id,
     * and the token stored; the user's oldest tokens beyond {@code --max-tokens-per-user} are revoked and
     * their sockets closed with 4401. The future completes on the password pool.
     *
     * @throws ChatException 400; 429 with {@code Retry-After}; 503 when the password pool is full. A wrong
     *                       username or password fails the future with 401.
     */
    public CompletableFuture<Login> logIn(String username, String password, String clientAddress) {
        if (username == null || password == null) {
            throw ChatException.invalid("username and password are required");
        }
        if (!USERNAME.matcher(username).matches() || !Text.isWellFormed(password)
                || password.length() > MAX_PASSWORD) {
            // no such user can exist, and these rules are public: nothing to hide, nothing to hash
            throw ChatException.unauthorized("wrong username or password");
        }
        String account = Text.canonicalUsername(username);
        String address = addressKey(clientAddress);
        takeLoginAttempt(account, address);
        CompletableFuture<Login> login;
        try {
            login = passwords.submit(() -> logInNow(account, password));
        } catch (ChatException busy) {
            giveBackLoginAttempt(account, address); // not the caller's attempt
            throw busy;
        }
        return login.whenComplete((done, failure) -> {
            // only a wrong username or password counts; a success or a failure of ours gives the attempt back
            if (!(unwrap(failure) instanceof ChatException e && e.status() == 401)) {
                giveBackLoginAttempt(account, address);
            }
        });
    }

    /** On the password pool. */
    private Login logInNow(String account, String password) {
        Optional<StoredCredentials> credentials = store.findCredentials(account);
        String stored = credentials.map(StoredCredentials::passwordHash).orElse(Passwords.DUMMY);
        Passwords.Check check = Passwords.check(password, stored);
        if (credentials.isEmpty() || !check.matches()) {
            throw ChatException.unauthorized("wrong username or password");
        }
        return newToken(credentials.get().user(), stored, check.rehash());
    }

    private static Throwable unwrap(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
    }

    private void takeLoginAttempt(String account, String address) {
        long accountWait = loginsPerAccount.tryAcquire(account);
        if (accountWait > 0) {
            throw ChatException.rateLimited("too many login attempts for this account; try again in "
                    + accountWait + " s", accountWait);
        }
        long addressWait = loginsPerAddress.tryAcquire(address);
        if (addressWait > 0) {
            loginsPerAccount.giveBack(account);
            throw ChatException.rateLimited("too many login attempts from this address; try again in "
                    + addressWait + " s", addressWait);
        }
    }

    private void giveBackLoginAttempt(String account, String address) {
        loginsPerAccount.giveBack(account);
        loginsPerAddress.giveBack(address);
    }

    /** IPv4 as it is; IPv6 by its /64, the block one subscriber usually holds. */
    static String addressKey(String address) {
        if (address == null || address.indexOf(':') < 0) {
            return String.valueOf(address);
        }
        String[] groups = address.split(":", -1);
        return groups.length < 8 ? address : String.join(":", groups[0], groups[1], groups[2], groups[3]) + "::/64";
    }

    private Login newToken(User user, String storedHash, String rehash) {
        if (rehash != null) {
            store.updatePasswordHash(user.id(), storedHash, rehash);
        }
        String token = Tokens.newToken();
        List<String> revoked = store.saveToken(Tokens.hash(token), user.id(), System.currentTimeMillis(),
                maxTokensPerUser);
        for (String hash : revoked) {
            tokens.revoke(hash);
            hub.closeSessionsOfToken(hash);
        }
        return new Login(token, user);
    }

    /**
     * Revokes the token and closes every socket opened with it (4401). The deletion is committed before
     * this returns (so before the 204), and before the cache forgets the token (see {@link TokenCache#revoke}).
     */
    public void logOut(Identity identity) {
        store.deleteToken(identity.tokenHash());
        tokens.revoke(identity.tokenHash());
        hub.closeSessionsOfToken(identity.tokenHash());
    }

    /** Revokes every token of the user and closes all their sockets (4401): "log out everywhere". */
    public void logOutEverywhere(Identity identity) {
        List<String> revoked = store.deleteTokensOf(identity.userId());
        revoked.forEach(tokens::revoke);
        hub.closeSessionsOfUser(identity.userId(), revoked);
    }

    /** Blocking token check, for the HTTP API on a worker; a use slides the token's expiry. */
    public Optional<Identity> identify(String token) {
        if (!plausibleToken(token)) {
            return Optional.empty();
        }
        return tokens.identify(Tokens.hash(token));
    }

    /** Answered at once from memory when it can; else the store is asked on a worker. */
    @Override
    public CompletableFuture<Optional<Identity>> authenticate(String token) {
        if (!plausibleToken(token)) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        Optional<Identity> remembered = tokens.remembered(Tokens.hash(token));
        if (remembered.isPresent()) {
            return CompletableFuture.completedFuture(remembered);
        }
        try {
            return CompletableFuture.supplyAsync(() -> identify(token), workers);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(e); // busy: the connection is told to come back later
        }
    }

    private static boolean plausibleToken(String token) {
        return token != null && !token.isEmpty() && token.length() <= 200;
    }

    /** The token cache's view of the store: loads block (workers only); writes are handed to a worker. */
    private final class StoreTokens implements TokenCache.Backing {

        @Override
        public Optional<TokenCache.Stored> load(String tokenHash) {
            return store.findToken(tokenHash).map(t -> new TokenCache.Stored(
                    new Identity(t.userId(), t.username(), tokenHash), t.lastUsedAt()));
        }

        @Override
        public void recordUse(String tokenHash, long usedAt) {
            inBackground("record a token's use", () -> store.touchToken(tokenHash, usedAt));
        }

        @Override
        public void forget(String tokenHash) {
            inBackground("delete an expired token", () -> store.deleteToken(tokenHash));
        }

        private void inBackground(String what, Runnable work) {
            try {
                workers.execute(() -> {
                    try {
                        work.run();
                    } catch (StoreException e) {
                        log.warn("Could not {}; it is tried again at a later use", what, e);
                    }
                });
            } catch (RejectedExecutionException e) {
                // busy: a later use records it; an expired token stays refused and is deleted when next seen
            }
        }
    }

    public User me(String userId) {
        return store.findUser(userId).orElseThrow(() -> ChatException.notFound("user"));
    }

    public User updateDisplayName(String userId, String displayName) {
        if (displayName == null || displayName.isBlank()) {
            throw ChatException.invalid("display_name must not be empty");
        }
        requireLabel("display_name", displayName.strip(), MAX_DISPLAY_NAME);
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
        requireLabel("title", title.strip(), MAX_TITLE);
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
        limit(invitationsPerUser, userId, "invitations");
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
        limit(messagesPerUser, userId, "messages");
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

    private static void limit(RateLimiter limiter, String userId, String what) {
        long wait = limiter.tryAcquire(userId);
        if (wait > 0) {
            throw ChatException.rateLimited("too many " + what + "; try again in " + wait + " s", wait);
        }
    }

    /** A name or title other people see: not too long, and nothing that could disguise it or what follows it. */
    private static void requireLabel(String field, String value, int max) {
        requireLength(field, value, max);
        int forbidden = Text.forbiddenInLabel(value);
        if (forbidden >= 0) {
            throw ChatException.invalid(String.format("%s must not contain control characters or bidirectional"
                    + " overrides, embeddings or isolates (found U+%04X)", field, forbidden));
        }
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
