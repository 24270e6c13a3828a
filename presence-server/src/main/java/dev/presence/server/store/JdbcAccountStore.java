package dev.presence.server.store;

import dev.presence.server.domain.User;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Users, password hashes and login tokens on JDBC (tables {@code users} and {@code tokens}). */
final class JdbcAccountStore implements AccountStore {

    /** The username a user is shown with: the app's for an app user (whose username column is internal). */
    private static final String USERNAME = "COALESCE(app_username, username)";
    /** An app user's username column: never a signup's name, which cannot hold ':'. */
    private static final String APP_PREFIX = "app:";
    /** App users created per batch insert, and ids per IN list. */
    private static final int BATCH = 500;
    /** An app user has no password: no hash matches this. */
    private static final String NO_PASSWORD = "!";

    private final Jdbc jdbc;
    private final InstantSource clock;
    private final IdGenerator ids;

    JdbcAccountStore(Jdbc jdbc, InstantSource clock, IdGenerator ids) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.ids = ids;
    }

    @Override
    public User createUser(String username, String passwordHash, String displayName) {
        User user = new User(ids.newId("u"), username, displayName);
        try {
            jdbc.update("INSERT INTO users (id, username, password_hash, display_name, created_at)"
                    + " VALUES (?, ?, ?, ?, ?)", user.id(), username, passwordHash, displayName, clock.millis());
        } catch (StoreException e) {
            if (Jdbc.isUniqueViolation(e)) {
                throw new UsernameTakenException(username);
            }
            throw e;
        }
        return user;
    }

    @Override
    public Optional<User> findUser(String userId) {
        return jdbc.queryOne("SELECT id, " + USERNAME + ", display_name FROM users WHERE id = ?",
                JdbcAccountStore::user, userId);
    }

    @Override
    public Optional<StoredCredentials> findCredentials(String username) {
        return jdbc.queryOne("SELECT id, username, display_name, password_hash FROM users WHERE username = ?"
                        + " AND app_username IS NULL",
                rs -> new StoredCredentials(user(rs), rs.getString(4)), username);
    }

    @Override
    public List<User> findUsers(Collection<String> userIds) {
        if (userIds.isEmpty()) {
            return List.of();
        }
        String marks = String.join(",", Collections.nCopies(userIds.size(), "?"));
        return jdbc.query("SELECT id, " + USERNAME + " AS name, display_name FROM users WHERE id IN ("
                + marks + ") ORDER BY name, id", JdbcAccountStore::user, userIds.toArray());
    }

    @Override
    public void updateDisplayName(String userId, String displayName) {
        jdbc.update("UPDATE users SET display_name = ? WHERE id = ?", displayName, userId);
    }

    @Override
    public boolean updatePasswordHash(String userId, String expectedHash, String newHash) {
        return jdbc.update("UPDATE users SET password_hash = ? WHERE id = ? AND password_hash = ?",
                newHash, userId, expectedHash) > 0;
    }

    @Override
    public List<String> saveToken(String tokenHash, String userId, long createdAt, int maxPerUser) {
        return jdbc.inTransaction("save a token", tx -> {
            lockUser(tx, userId);
            tx.update("INSERT INTO tokens (token_hash, user_id, created_at, last_used_at) VALUES (?, ?, ?, ?)",
                    tokenHash, userId, createdAt, createdAt);
            List<String> others = tx.query("SELECT token_hash FROM tokens WHERE user_id = ? AND token_hash <> ?"
                    + " ORDER BY created_at DESC, token_hash DESC", rs -> rs.getString(1), userId, tokenHash);
            List<String> deleted = List.copyOf(others.subList(Math.min(others.size(),
                    Math.max(0, maxPerUser - 1)), others.size()));
            for (String old : deleted) {
                tx.update("DELETE FROM tokens WHERE token_hash = ?", old);
            }
            return deleted;
        });
    }

    /** Locks the user's row until the transaction ends, so token changes of one user happen one at a time. */
    private static void lockUser(Jdbc.Transaction tx, String userId) throws SQLException {
        tx.query("SELECT id FROM users WHERE id = ? FOR UPDATE", rs -> rs.getString(1), userId);
    }

    @Override
    public Optional<StoredToken> findToken(String tokenHash) {
        return jdbc.queryOne("SELECT t.user_id, COALESCE(u.app_username, u.username), t.created_at, t.last_used_at FROM tokens t"
                        + " JOIN users u ON u.id = t.user_id WHERE t.token_hash = ?",
                rs -> new StoredToken(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4)), tokenHash);
    }

    @Override
    public void touchToken(String tokenHash, long usedAt) {
        jdbc.update("UPDATE tokens SET last_used_at = ? WHERE token_hash = ? AND (last_used_at IS NULL"
                + " OR last_used_at < ?)", usedAt, tokenHash, usedAt);
    }

    @Override
    public boolean deleteToken(String tokenHash) {
        return jdbc.update("DELETE FROM tokens WHERE token_hash = ?", tokenHash) > 0;
    }

    @Override
    public List<String> deleteTokensOf(String userId) {
        return jdbc.inTransaction("delete the tokens of a user", tx -> deleteTokens(tx, userId));
    }

    // --- integration mode -------------------------------------------------------------------------------

    @Override
    public Optional<StoredAccount> findAccount(String userId) {
        return jdbc.queryOne("SELECT id, " + USERNAME + ", display_name, app_username IS NOT NULL,"
                        + " sessions_revoked_at FROM users WHERE id = ?",
                rs -> new StoredAccount(user(rs), rs.getBoolean(4), rs.getLong(5)), userId);
    }

    @Override
    public AppUserWrite putAppUser(String userId, String username, String displayName) {
        Optional<StoredAccount> found = findAccount(userId);
        if (found.isEmpty()) {
            String name = username != null ? username : userId;
            User user = new User(userId, name, displayName != null ? displayName : name);
            try {
                insertAppUsers(List.of(user));
                return new AppUserWrite(user, true, true);
            } catch (StoreException e) {
                if (!Jdbc.isUniqueViolation(e)) {
                    throw e;
                }
                found = findAccount(userId); // made meanwhile by another call: update it
                if (found.isEmpty()) {
                    throw e;
                }
            }
        }
        StoredAccount account = found.get();
        if (!account.appUser()) {
            throw new NotAnAppUserException(userId);
        }
        User now = account.user();
        User wanted = new User(userId, username != null ? username : now.username(),
                displayName != null ? displayName : now.displayName());
        if (wanted.equals(now)) {
            return new AppUserWrite(now, false, false);
        }
        jdbc.update("UPDATE users SET app_username = ?, display_name = ? WHERE id = ? AND app_username IS NOT NULL",
                wanted.username(), wanted.displayName(), userId);
        return new AppUserWrite(wanted, false, true);
    }

    @Override
    public List<AppUserWrite> putAppUsers(List<AppUserFields> users) {
        Map<String, StoredAccount> existing = new HashMap<>();
        for (int from = 0; from < users.size(); from += BATCH) {
            List<AppUserFields> chunk = users.subList(from, Math.min(users.size(), from + BATCH));
            String marks = String.join(",", Collections.nCopies(chunk.size(), "?"));
            for (StoredAccount account : jdbc.query("SELECT id, " + USERNAME + ", display_name,"
                            + " app_username IS NOT NULL, sessions_revoked_at FROM users WHERE id IN (" + marks + ")",
                    rs -> new StoredAccount(user(rs), rs.getBoolean(4), rs.getLong(5)),
                    chunk.stream().map(AppUserFields::id).toArray())) {
                if (!account.appUser()) {
                    throw new NotAnAppUserException(account.user().id());
                }
                existing.put(account.user().id(), account);
            }
        }
        List<AppUserWrite> writes = new ArrayList<>(users.size());
        for (int from = 0; from < users.size(); from += BATCH) {
            writes.addAll(putChunk(users.subList(from, Math.min(users.size(), from + BATCH)), existing));
        }
        return writes;
    }

    private List<AppUserWrite> putChunk(List<AppUserFields> chunk, Map<String, StoredAccount> existing) {
        List<AppUserWrite> writes = new ArrayList<>(chunk.size());
        List<Object[]> inserts = new ArrayList<>();
        List<Object[]> updates = new ArrayList<>();
        long now = clock.millis();
        for (AppUserFields fields : chunk) {
            StoredAccount account = existing.get(fields.id());
            if (account == null) {
                String name = fields.username() != null ? fields.username() : fields.id();
                User user = new User(fields.id(), name, fields.displayName() != null ? fields.displayName() : name);
                inserts.add(new Object[] {user.id(), APP_PREFIX + user.id(), user.username(), NO_PASSWORD,
                        user.displayName(), now});
                writes.add(new AppUserWrite(user, true, true));
                continue;
            }
            User was = account.user();
            User wanted = new User(was.id(), fields.username() != null ? fields.username() : was.username(),
                    fields.displayName() != null ? fields.displayName() : was.displayName());
            if (wanted.equals(was)) {
                writes.add(new AppUserWrite(was, false, false));
            } else {
                updates.add(new Object[] {wanted.username(), wanted.displayName(), wanted.id()});
                writes.add(new AppUserWrite(wanted, false, true));
            }
        }
        try {
            jdbc.inTransaction("put app users", tx -> {
                if (!inserts.isEmpty()) {
                    tx.batch("INSERT INTO users (id, username, app_username, password_hash, display_name,"
                            + " created_at) VALUES (?, ?, ?, ?, ?, ?)", inserts);
                }
                if (!updates.isEmpty()) {
                    tx.batch("UPDATE users SET app_username = ?, display_name = ? WHERE id = ?"
                            + " AND app_username IS NOT NULL", updates);
                }
                return null;
            });
            return writes;
        } catch (StoreException e) {
            if (!Jdbc.isUniqueViolation(e)) {
                throw e;
            }
            // another call created some of them meanwhile: this batch again, one user at a time
            List<AppUserWrite> one = new ArrayList<>(chunk.size());
            for (AppUserFields fields : chunk) {
                one.add(putAppUser(fields.id(), fields.username(), fields.displayName()));
            }
            return one;
        }
    }

    @Override
    public List<String> createMissingAppUsers(Collection<String> userIds) {
        List<String> created = new ArrayList<>();
        List<String> all = List.copyOf(new LinkedHashSet<>(userIds));
        for (int from = 0; from < all.size(); from += BATCH) {
            List<String> chunk = all.subList(from, Math.min(all.size(), from + BATCH));
            String marks = String.join(",", Collections.nCopies(chunk.size(), "?"));
            Set<String> existing = new HashSet<>(jdbc.query("SELECT id FROM users WHERE id IN (" + marks + ")",
                    rs -> rs.getString(1), chunk.toArray()));
            List<User> missing = new ArrayList<>();
            for (String id : chunk) {
                if (!existing.contains(id)) {
                    missing.add(new User(id, id, id));
                }
            }
            try {
                insertAppUsers(missing);
                missing.forEach(u -> created.add(u.id()));
            } catch (StoreException e) {
                if (!Jdbc.isUniqueViolation(e)) {
                    throw e;
                }
                // another call made some of them meanwhile: the rest one at a time
                for (User user : missing) {
                    try {
                        insertAppUsers(List.of(user));
                        created.add(user.id());
                    } catch (StoreException one) {
                        if (!Jdbc.isUniqueViolation(one)) {
                            throw one;
                        }
                    }
                }
            }
        }
        return created;
    }

    private void insertAppUsers(List<User> users) {
        if (users.isEmpty()) {
            return;
        }
        long now = clock.millis();
        List<Object[]> rows = new ArrayList<>(users.size());
        for (User user : users) {
            rows.add(new Object[] {user.id(), APP_PREFIX + user.id(), user.username(), NO_PASSWORD, user.displayName(),
                    now});
        }
        jdbc.inTransaction("create app users", tx -> {
            tx.batch("INSERT INTO users (id, username, app_username, password_hash, display_name, created_at)"
                    + " VALUES (?, ?, ?, ?, ?, ?)", rows);
            return null;
        });
    }

    @Override
    public List<String> revokeSessions(String userId, long revokedAt) {
        return jdbc.inTransaction("revoke the sessions of a user", tx -> {
            List<String> hashes = deleteTokens(tx, userId);
            tx.update("UPDATE users SET sessions_revoked_at = GREATEST(sessions_revoked_at, ?) WHERE id = ?",
                    revokedAt, userId);
            return hashes;
        });
    }

    /** Deletes a user's tokens, their row locked so a concurrent login waits: the answer names all deleted. */
    private static List<String> deleteTokens(Jdbc.Transaction tx, String userId) throws SQLException {
        lockUser(tx, userId);
        List<String> hashes = tx.query("SELECT token_hash FROM tokens WHERE user_id = ?",
                rs -> rs.getString(1), userId);
        tx.update("DELETE FROM tokens WHERE user_id = ?", userId);
        return hashes;
    }

    static User user(ResultSet rs) throws SQLException {
        return new User(rs.getString(1), rs.getString(2), rs.getString(3));
    }
}
