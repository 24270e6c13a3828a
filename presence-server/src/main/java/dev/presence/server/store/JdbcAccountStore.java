package dev.presence.server.store;

import dev.presence.server.domain.User;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.InstantSource;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/** Users, password hashes and login tokens on JDBC (tables {@code users} and {@code tokens}). */
final class JdbcAccountStore implements AccountStore {

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
        return jdbc.queryOne("SELECT id, username, display_name FROM users WHERE id = ?",
                JdbcAccountStore::user, userId);
    }

    @Override
    public Optional<StoredCredentials> findCredentials(String username) {
        return jdbc.queryOne("SELECT id, username, display_name, password_hash FROM users WHERE username = ?",
                rs -> new StoredCredentials(user(rs), rs.getString(4)), username);
    }

    @Override
    public List<User> findUsers(Collection<String> userIds) {
        if (userIds.isEmpty()) {
            return List.of();
        }
        String marks = String.join(",", Collections.nCopies(userIds.size(), "?"));
        return jdbc.query("SELECT id, username, display_name FROM users WHERE id IN (" + marks + ")"
                + " ORDER BY username", JdbcAccountStore::user, userIds.toArray());
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
        return jdbc.queryOne("SELECT t.user_id, u.username, t.created_at, t.last_used_at FROM tokens t"
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
        return jdbc.inTransaction("delete the tokens of a user", tx -> {
            lockUser(tx, userId);
            List<String> hashes = tx.query("SELECT token_hash FROM tokens WHERE user_id = ?",
                    rs -> rs.getString(1), userId);
            tx.update("DELETE FROM tokens WHERE user_id = ?", userId);
            return hashes;
        });
    }

    static User user(ResultSet rs) throws SQLException {
        return new User(rs.getString(1), rs.getString(2), rs.getString(3));
    }
}
