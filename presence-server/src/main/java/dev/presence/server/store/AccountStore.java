package dev.presence.server.store;

import dev.presence.server.domain.User;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Where users, their password hashes and their login tokens are kept. Every method blocks (JDBC): call it from a
 * worker thread, never from an event loop or the presence hub.
 *
 * <p>An unknown user or token id is never an error where there is nothing to change: finds are empty, updates
 * change nothing. Only creating something that would point at an unknown user throws.
 */
public interface AccountStore {

    /**
     * Creates a user with a new id.
     *
     * @throws UsernameTakenException if the username is in use
     */
    User createUser(String username, String passwordHash, String displayName);

    /** A user by id; empty if unknown. */
    Optional<User> findUser(String userId);

    /** A user and their password hash, by username (as given: the caller canonicalizes); empty if unknown. */
    Optional<StoredCredentials> findCredentials(String username);

    /** Users by id, ordered by username; unknown ids are left out. */
    List<User> findUsers(Collection<String> userIds);

    /** Changes a display name; does nothing for an unknown user. */
    void updateDisplayName(String userId, String displayName);

    /**
     * Replaces a user's password hash, if it is still {@code expectedHash}.
     *
     * @return false if it was not (or the user is unknown)
     */
    boolean updatePasswordHash(String userId, String expectedHash, String newHash);

    /** Keeps a login token (its hash only), with no limit on the user's tokens. */
    default void saveToken(String tokenHash, String userId, long createdAt) {
        saveToken(tokenHash, userId, createdAt, Integer.MAX_VALUE);
    }

    /**
     * Keeps a login token (its hash only) and, in the same transaction, deletes the user's oldest tokens
     * beyond {@code maxPerUser} (never the new one). Concurrent calls for one user are serialized, so the
     * user never keeps more than {@code maxPerUser}.
     *
     * @return the hashes of the tokens deleted to make room
     * @throws StoreException if the user is unknown (nothing is kept)
     */
    List<String> saveToken(String tokenHash, String userId, long createdAt, int maxPerUser);

    /** A token by its hash, with its user and when its use was last recorded; empty if it is not kept. */
    Optional<StoredToken> findToken(String tokenHash);

    /** The user a token hash belongs to, if the token is still kept. */
    default Optional<String> userIdForToken(String tokenHash) {
        return findToken(tokenHash).map(StoredToken::userId);
    }

    /** Records that a token was used at {@code usedAt} (never moves the recorded time back; nothing if not kept). */
    void touchToken(String tokenHash, long usedAt);

    /** Revokes a token; false if it was not there. */
    boolean deleteToken(String tokenHash);

    /**
     * Revokes every token of a user, serialized with {@link #saveToken(String, String, long, int)} for that
     * user, so the answer names exactly the tokens that were deleted.
     *
     * @return the hashes of the deleted tokens (none for an unknown user)
     */
    List<String> deleteTokensOf(String userId);

    // --- integration mode: the app's users -------------------------------------------------------------

    /** A user by id with their kind and revocation time; empty if unknown. */
    Optional<StoredAccount> findAccount(String userId);

    /**
     * Creates or updates an app's user with the app's own id. A null username keeps the current one (the id for a
     * new user); a null display name keeps the current one (the username for a new user). Safe to race: of two
     * calls creating one user, one creates and the other updates.
     *
     * @throws NotAnAppUserException if the id belongs to a user who signed up here (nothing is changed)
     */
    AppUserWrite putAppUser(String userId, String username, String displayName);

    /**
     * {@link #putAppUser} for many users (distinct ids), in batches: a transaction per batch of a few hundred,
     * with one batched insert and one batched update each, so thousands of users take seconds, not minutes.
     *
     * @return what was done to each, in the order given
     * @throws NotAnAppUserException if an id belongs to a user who signed up here (checked before anything is
     *                               written, so nothing is changed)
     */
    List<AppUserWrite> putAppUsers(List<AppUserFields> users);

    /**
     * Creates, as app users with their id as username and display name, those of {@code userIds} who do not exist
     * yet (of any kind), in batches.
     *
     * @return the ids created
     */
    List<String> createMissingAppUsers(Collection<String> userIds);

    /**
     * Revokes every token of a user (like {@link #deleteTokensOf}) and refuses from now on the app's JWTs issued at
     * or before {@code revokedAt}; the kept time never goes back.
     *
     * @return the hashes of the deleted tokens (none for an unknown user)
     */
    List<String> revokeSessions(String userId, long revokedAt);
}
