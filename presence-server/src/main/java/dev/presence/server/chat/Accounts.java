package dev.presence.server.chat;

import dev.presence.server.config.ServerConfig;
import dev.presence.server.domain.Identity;
import dev.presence.server.domain.User;
import dev.presence.server.gateway.Authenticator;
import dev.presence.server.presence.PresenceHub;
import dev.presence.server.protocol.Frames;
import dev.presence.server.store.AccountStore;
import dev.presence.server.store.StoreException;
import dev.presence.server.store.StoredCredentials;
import dev.presence.server.store.UsernameTakenException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

import static dev.presence.server.chat.StoreFailures.translated;

/**
 * Users and their tokens: signup, login, logout, who a token belongs to (for the API and, as the gateway's
 * {@link Authenticator}, for WebSockets), and the profile. Signup and login never block: they check their
 * input and hand the rest (store and password hash) to a pool of its own ({@link PasswordPool}), answering
 * with a future, so a flood of them keeps that pool busy and nothing else. The other calls block on the
 * store, so they run on workers.
 */
public final class Accounts implements Authenticator {

    private static final Logger log = LoggerFactory.getLogger(Accounts.class);

    private static final int MIN_PASSWORD = 8;
    private static final int MAX_PASSWORD = 128;

    private final AccountStore store;
    private final PresenceHub hub;
    private final Executor workers;
    private final PasswordPool passwords;
    private final TokenCache tokens;
    private final int maxTokensPerUser;
    private final RateLimiter loginsPerAccount;
    private final RateLimiter loginsPerAddress;

    /**
     * @param workers   where blocking store work runs (the caller's pool for the API)
     * @param passwords where password hashing runs, apart from everything else
     * @param config    token lifetime, tokens per user and login rate limits
     */
    public Accounts(AccountStore store, PresenceHub hub, Executor workers, PasswordPool passwords,
                    ServerConfig config) {
        this.store = store;
        this.hub = hub;
        this.workers = workers;
        this.passwords = passwords;
        this.tokens = new TokenCache(new StoreTokens(), 200_000, config.tokenTtl(), System::currentTimeMillis);
        this.maxTokensPerUser = config.maxTokensPerUser();
        this.loginsPerAccount = new RateLimiter(config.rateLimits().loginsPerAccount());
        this.loginsPerAddress = new RateLimiter(config.rateLimits().loginsPerAddress());
    }

    /** What a login gives: the token (shown once) and the user. */
    public record Login(String token, User user) {
    }

    // --- signup and login ----------------------------------------------------------------------------

    /**
     * Creates a user. The rules are checked here; the rest (is the name free, the hash, the insert) runs on
     * the password pool, and the future completes there.
     *
     * @throws ChatException 400, or 503 when the password pool is full; a taken name fails the future with 409
     */
    public CompletableFuture<User> signUp(String username, String password, String displayName) {
        if (!Text.isUsername(username)) {
            throw ChatException.invalid("username must be 3 to 32 letters, digits, '_', '.' or '-'");
        }
        if (password == null || password.length() < MIN_PASSWORD || password.length() > MAX_PASSWORD) {
            throw ChatException.invalid("password must be " + MIN_PASSWORD + " to " + MAX_PASSWORD + " characters");
        }
        if (!Text.isWellFormed(password)) {
            throw ChatException.invalid("password must be text without NUL or unpaired surrogate characters");
        }
        String name = displayName == null || displayName.isBlank() ? username : displayName.strip();
        FieldRules.requireLabel("display_name", name, FieldRules.MAX_DISPLAY_NAME);
        // usernames are case-insensitive, so "Alice" cannot pass for "alice"
        String canonical = Text.canonicalUsername(username);
        return passwords.submit(() -> translated(() -> {
            if (store.findCredentials(canonical).isPresent()) { // before spending a hash on it
                throw taken(username);
            }
            try {
                return store.createUser(canonical, Passwords.hash(password), name);
            } catch (UsernameTakenException e) {
                throw taken(username);
            }
        }));
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
        if (!Text.isUsername(username) || !Text.isWellFormed(password) || password.length() > MAX_PASSWORD) {
            // no such user can exist, and these rules are public: nothing to hide, nothing to hash
            throw ChatException.unauthorized("wrong username or password");
        }
        String account = Text.canonicalUsername(username);
        String address = addressKey(clientAddress);
        takeLoginAttempt(account, address);
        CompletableFuture<Login> login;
        try {
            login = passwords.submit(() -> translated(() -> logInNow(account, password)));
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

    // --- tokens --------------------------------------------------------------------------------------

    /**
     * Revokes the token and closes every socket opened with it (4401). The deletion is committed before
     * this returns (so before the 204), and before the cache forgets the token (see {@link TokenCache#revoke}).
     */
    public void logOut(Identity identity) {
        translated(() -> {
            store.deleteToken(identity.tokenHash());
            tokens.revoke(identity.tokenHash());
            hub.closeSessionsOfToken(identity.tokenHash());
        });
    }

    /** Revokes every token of the user and closes all their sockets (4401): "log out everywhere". */
    public void logOutEverywhere(Identity identity) {
        translated(() -> {
            List<String> revoked = store.deleteTokensOf(identity.userId());
            revoked.forEach(tokens::revoke);
            hub.closeSessionsOfUser(identity.userId(), revoked);
        });
    }

    /**
     * The server API's "revoke a user's sessions": every stored token of the user is deleted, the app's JWTs issued
     * until now are refused from now on, and the user's sockets are closed with 4401.
     */
    public void revokeSessions(String userId) {
        translated(() -> {
            List<String> revoked = store.revokeSessions(userId, System.currentTimeMillis());
            revoked.forEach(tokens::revoke);
            hub.closeSessionsOfUser(userId, revoked);
        });
    }

    /** Blocking token check, for the HTTP API on a worker; a use slides the token's expiry. */
    public Optional<Identity> identify(String token) {
        return translated(() -> {
            if (!plausibleToken(token)) {
                return Optional.empty();
            }
            return tokens.identify(Tokens.hash(token));
        });
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

    // --- profile -------------------------------------------------------------------------------------

    public User me(String userId) {
        return translated(() -> store.findUser(userId).orElseThrow(() -> ChatException.notFound("user")));
    }

    /** Changes the display name; the user's sessions and everyone sharing a thread with them are told. */
    public User updateDisplayName(String userId, String displayName) {
        return translated(() -> {
            if (displayName == null || displayName.isBlank()) {
                throw ChatException.invalid("display_name must not be empty");
            }
            FieldRules.requireLabel("display_name", displayName.strip(), FieldRules.MAX_DISPLAY_NAME);
            store.updateDisplayName(userId, displayName.strip());
            User user = me(userId);
            hub.toUserAndCoMembers(userId, Frames.profileUpdated(user));
            return user;
        });
    }
}
