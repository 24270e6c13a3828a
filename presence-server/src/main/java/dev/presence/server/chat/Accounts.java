package dev.presence.server.chat;

import dev.presence.server.config.ServerConfig;
import dev.presence.server.domain.Identity;
import dev.presence.server.domain.User;
import dev.presence.server.gateway.Authenticator;
import dev.presence.server.presence.PresenceHub;
import dev.presence.server.protocol.Frames;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.presence.server.store.AccountStore;
import dev.presence.server.store.AppUserWrite;
import dev.presence.server.store.NotAnAppUserException;
import dev.presence.server.store.StoreException;
import dev.presence.server.store.StoredAccount;
import dev.presence.server.store.StoredCredentials;
import dev.presence.server.store.UsernameTakenException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;

import static dev.presence.server.chat.StoreFailures.translated;

/**
 * Users and their tokens: signup, login, logout, who a token belongs to (for the API and, as the gateway's
 * {@link Authenticator}, for WebSockets), and the profile. Signup and login never block: they check their
 * input and hand the rest (store and password hash) to a pool of its own ({@link PasswordPool}), answering
 * with a future, so a flood of them keeps that pool busy and nothing else. The other calls block on the
 * store, so they run on workers.
 *
 * <p>In integration mode the app's JWTs ({@link AppJwts}) are accepted wherever a login token is: a token with the
 * shape of a JWT takes that path, any other the login token's, exactly as without JWTs. The app's users are
 * remembered for {@link #APP_ACCOUNT_MEMORY} so a reconnect storm does not read the store once per socket; a
 * revocation forgets the user on every node (the hubs pass it on, at most once: the short memory bounds what a lost
 * message costs an HTTP call), and every node's hub closes the sessions issued before it and refuses them for
 * minutes, so a socket is never let in by a node whose memory is older than a revocation made elsewhere.
 */
public final class Accounts implements Authenticator {

    private static final Logger log = LoggerFactory.getLogger(Accounts.class);

    private static final int MIN_PASSWORD = 8;
    private static final int MAX_PASSWORD = 128;
    /**
     * How long an app user's account (kind, revocation time) is remembered: well under the hubs' memory of
     * revocations ({@code RevokedTokens.MEMORY}), which covers a node that remembers an account from before a
     * revocation made on another node.
     */
    static final Duration APP_ACCOUNT_MEMORY = Duration.ofSeconds(10);

    private final AccountStore store;
    private final PresenceHub hub;
    private final Executor workers;
    private final PasswordPool passwords;
    private final TokenCache tokens;
    private final int maxTokensPerUser;
    private final RateLimiter loginsPerAccount;
    private final RateLimiter loginsPerAddress;
    /** The app's JWTs; null when none are accepted. */
    private final AppJwts jwts;
    /** App users by id, for JWTs: so a reconnect storm does not read the store once per socket. */
    private final Cache<String, StoredAccount> appAccounts;
    /** Counts revocations, so a lookup can tell whether one happened while it read the store. */
    private final AtomicLong revocations = new AtomicLong();

    /**
     * Accepts the app's JWTs if {@code config.integration()} names JWT keys (the files are read now).
     *
     * @param workers   where blocking store work runs (the caller's pool for the API)
     * @param passwords where password hashing runs, apart from everything else
     * @param config    token lifetime, tokens per user and login rate limits
     * @throws IllegalArgumentException if a JWT key file cannot be used (see {@link AppJwts#load})
     */
    public Accounts(AccountStore store, PresenceHub hub, Executor workers, PasswordPool passwords,
                    ServerConfig config) {
        this(store, hub, workers, passwords, config, AppJwts.load(config.integration(), System::currentTimeMillis));
    }

    /**
     * @param jwts the app's JWTs, loaded at start ({@link AppJwts#load}); empty: login tokens only
     */
    public Accounts(AccountStore store, PresenceHub hub, Executor workers, PasswordPool passwords,
                    ServerConfig config, Optional<AppJwts> jwts) {
        this.jwts = jwts.orElse(null);
        this.appAccounts = Caffeine.newBuilder().maximumSize(100_000).expireAfterWrite(APP_ACCOUNT_MEMORY)
                .executor(Runnable::run).build();
        this.store = store;
        this.hub = hub;
        this.workers = workers;
        this.passwords = passwords;
        this.tokens = new TokenCache(new StoreTokens(), 200_000, config.tokenTtl(), System::currentTimeMillis);
        this.maxTokensPerUser = config.maxTokensPerUser();
        this.loginsPerAccount = new RateLimiter(config.rateLimits().loginsPerAccount());
        this.loginsPerAddress = new RateLimiter(config.rateLimits().loginsPerAddress());
        if (hub != null && this.jwts != null) {
            // a revocation made on another node: forget the account here too, so HTTP refuses at once as well
            hub.onUserRevoked(userId -> {
                revocations.incrementAndGet();
                appAccounts.invalidate(userId);
            });
        }
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

    /**
     * Revokes every token of the user and closes all their sockets (4401) on every node: "log out everywhere".
     * For an app user this is {@link #revokeSessions}: their JWTs issued until now are refused too.
     */
    public void logOutEverywhere(Identity identity) {
        if (jwts != null) {
            revoke(identity.userId(), "logged out everywhere");
            return;
        }
        translated(() -> {
            List<String> revoked = store.deleteTokensOf(identity.userId());
            forget(identity.userId(), revoked);
            hub.closeSessionsOfUser(identity.userId(), Long.MIN_VALUE, revoked, "logged out everywhere");
        });
    }

    /**
     * The server API's "revoke a user's sessions": every stored token of the user is deleted, the app's JWTs issued
     * until now (to the second: {@code iat} has whole seconds, so one issued in the same second is refused too) are
     * refused from now on, and the user's sockets are closed with 4401 on every node.
     */
    public void revokeSessions(String userId) {
        revoke(userId, "sessions revoked");
    }

    private void revoke(String userId, String reason) {
        translated(() -> {
            long now = System.currentTimeMillis();
            List<String> revoked = store.revokeSessions(userId, now);
            forget(userId, revoked);
            hub.closeSessionsOfUser(userId, refusedUpTo(now), revoked, reason);
        });
    }

    /** Called once the revocation is committed: a lookup that read the store before it keeps nothing. */
    private void forget(String userId, List<String> tokenHashes) {
        revocations.incrementAndGet();
        appAccounts.invalidate(userId);
        tokenHashes.forEach(tokens::revoke);
    }

    /**
     * Blocking token check, for the HTTP API on a worker; a use slides a login token's expiry. An app's JWT
     * names its user, who is created on first use and given the token's {@code name}.
     */
    public Optional<Identity> identify(String token) {
        return translated(() -> {
            if (isJwt(token)) {
                return identifyJwt(token, Tokens.hash(token));
            }
            if (!plausibleToken(token)) {
                return Optional.empty();
            }
            return tokens.identify(Tokens.hash(token));
        });
    }

    /** Answered at once from memory when it can; else the store is asked (and a JWT verified) on a worker. */
    @Override
    public CompletableFuture<Optional<Identity>> authenticate(String token) {
        if (isJwt(token)) {
            if (token.length() > AppJwts.MAX_TOKEN_CHARS) {
                return CompletableFuture.completedFuture(Optional.empty());
            }
            Optional<Identity> remembered = rememberedJwt(Tokens.hash(token));
            if (remembered.isPresent()) {
                return CompletableFuture.completedFuture(remembered);
            }
        } else if (!plausibleToken(token)) {
            return CompletableFuture.completedFuture(Optional.empty());
        } else {
            Optional<Identity> remembered = tokens.remembered(Tokens.hash(token));
            if (remembered.isPresent()) {
                return CompletableFuture.completedFuture(remembered);
            }
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

    // --- the app's JWTs ------------------------------------------------------------------------------

    private boolean isJwt(String token) {
        return jwts != null && token != null && AppJwts.looksLikeJwt(token);
    }

    /** From memory only (for event loops): a JWT verified before, of a user remembered with nothing to update. */
    private Optional<Identity> rememberedJwt(String tokenHash) {
        Optional<AppJwts.AppToken> jwt = jwts.remembered(tokenHash);
        if (jwt.isEmpty()) {
            return Optional.empty();
        }
        StoredAccount account = appAccounts.getIfPresent(jwt.get().userId());
        if (account == null || !upToDate(account, jwt.get())) {
            return Optional.empty(); // the store must be asked, or written: on a worker
        }
        return identity(jwt.get(), account, tokenHash);
    }

    /** Blocking: verifies the JWT, then finds (or creates, or renames) its user. */
    private Optional<Identity> identifyJwt(String token, String tokenHash) {
        Optional<AppJwts.AppToken> verified = jwts.verify(token, tokenHash);
        if (verified.isEmpty()) {
            return Optional.empty();
        }
        AppJwts.AppToken jwt = verified.get();
        StoredAccount account = appAccounts.getIfPresent(jwt.userId());
        if (account == null || !upToDate(account, jwt)) {
            long revocationsBefore = revocations.get();
            account = loadAppAccount(jwt);
            if (account == null) {
                return Optional.empty();
            }
            StoredAccount loaded = account;
            // atomic with forget()'s invalidate: either that removes this entry afterwards, or this sees the
            // count it raised first and keeps nothing (the account read here may predate the revocation)
            appAccounts.asMap().compute(jwt.userId(), (id, existing) ->
                    revocations.get() == revocationsBefore ? loaded : existing);
            if (revocations.get() != revocationsBefore) {
                account = store.findAccount(jwt.userId()).orElse(null);
                if (account == null) {
                    return Optional.empty();
                }
            }
        }
        return identity(jwt, account, tokenHash);
    }

    /** Whether what is remembered of the user already has the token's name (or the token names none). */
    private static boolean upToDate(StoredAccount account, AppJwts.AppToken jwt) {
        return jwt.name() == null || jwt.name().equals(account.user().displayName());
    }

    /**
     * The JWT's user from the store: created on first use, the display name updated to the token's (and the
     * user's sessions and co-members told). Null for the id of a user who signed up here: the app may not speak
     * for them.
     */
    private StoredAccount loadAppAccount(AppJwts.AppToken jwt) {
        Optional<StoredAccount> found = store.findAccount(jwt.userId());
        if (found.isPresent() && !found.get().appUser()) {
            return null;
        }
        if (found.isPresent() && upToDate(found.get(), jwt)) {
            return found.get();
        }
        AppUserWrite write;
        try {
            write = store.putAppUser(jwt.userId(), null, jwt.name());
        } catch (NotAnAppUserException e) {
            return null; // signed up meanwhile
        }
        if (write.created()) {
            log.info("App user {} created on first use of their JWT", jwt.userId());
        } else if (write.changed()) {
            hub.toUserAndCoMembers(jwt.userId(), Frames.profileUpdated(write.user()));
        }
        // read again rather than assume: a revocation may have come between the two
        return store.findAccount(jwt.userId()).filter(StoredAccount::appUser).orElse(null);
    }

    /** The session's identity, unless the token was issued at or before the user's last revocation. */
    private static Optional<Identity> identity(AppJwts.AppToken jwt, StoredAccount account, String tokenHash) {
        if (!account.appUser() || !issuedAfter(jwt.issuedAt(), account.sessionsRevokedAt())) {
            return Optional.empty();
        }
        return Optional.of(new Identity(jwt.userId(), account.user().username(), tokenHash, jwt.issuedAt(),
                jwt.expiresAt()));
    }

    /** Whether a JWT issued at {@code issuedAt} survives a revocation at {@code revokedAt} (0: never revoked). */
    static boolean issuedAfter(long issuedAt, long revokedAt) {
        return revokedAt == 0 || issuedAt > refusedUpTo(revokedAt);
    }

    /**
     * The JWTs a revocation at {@code revokedAt} refuses are those issued up to the end of its second: {@code iat}
     * has whole seconds, so a token of the revocation's own second may be older than it.
     */
    static long refusedUpTo(long revokedAt) {
        return Math.floorDiv(revokedAt, 1000) * 1000 + 999;
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
