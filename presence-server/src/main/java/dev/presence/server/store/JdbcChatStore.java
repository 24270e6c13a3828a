package dev.presence.server.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.presence.core.UserStatus;
import dev.presence.server.domain.ChatThread;
import dev.presence.server.domain.Ids;
import dev.presence.server.domain.Invitation;
import dev.presence.server.domain.Message;
import dev.presence.server.domain.User;
import org.flywaydb.core.Flyway;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/** The chat store on JDBC: H2 embedded by default, PostgreSQL in production, one set of Flyway migrations. */
public final class JdbcChatStore implements ChatStore {

    private final HikariDataSource dataSource;
    /** For an H2 file database only. */
    private final H2Housekeeping housekeeping;

    private JdbcChatStore(HikariDataSource dataSource, H2Housekeeping housekeeping) {
        this.dataSource = dataSource;
        this.housekeeping = housekeeping;
    }

    /**
     * Opens the embedded H2 database under {@code dataDir}, migrating it to the current schema.
     *
     * <p>{@code WRITE_DELAY=0}: every commit writes its changes to the file (MVStore stores a chunk) before the
     * JDBC commit returns, so an acknowledged write is in the operating system's hands and survives a crash of
     * this process. With H2's default (500 ms) a background thread wrote committed data up to a second later,
     * and a {@code kill -9} in between lost writes already answered with a 2xx. There is no fsync per commit
     * (a power loss may still lose the last seconds; PostgreSQL is the database for that), so the cost is a
     * {@code write(2)} per commit, not a disk flush; the bench README has the latency before and after. The
     * price is disk space: MVStore keeps replaced chunks for its retention time (45 s), so the file also holds
     * about 45 s of churn at the current write rate (measured in the bench README); and since this setting also
     * stops H2's background thread, {@link H2Housekeeping} does its rewriting of mostly empty chunks.
     *
     * <p>Rather than a checkpoint after each write (a group commit), the setting makes every commit durable,
     * including those of store methods added later, and it has no window: with the background thread on, a
     * checkpoint can find the changes already taken by that thread's asynchronous store and return before they
     * are written.
     */
    public static JdbcChatStore embedded(Path dataDir) {
        Path file = dataDir.toAbsolutePath().resolve("presence");
        return open("jdbc:h2:file:" + file + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0", null);
    }

    /** Opens a database by JDBC URL (PostgreSQL, or any H2 URL), migrating it to the current schema. */
    public static JdbcChatStore open(String jdbcUrl, String schema) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setPoolName("presence-db");
        config.setMaximumPoolSize(8);
        config.setMinimumIdle(1);
        config.setConnectionTimeout(10_000);
        if (schema != null) {
            config.setSchema(schema);
        }
        config.setAutoCommit(true);
        if (jdbcUrl.startsWith("jdbc:postgresql:")) {
            // a commit returns once its WAL is flushed, whatever the server's default says: a 2xx is durable
            config.setConnectionInitSql("SET synchronous_commit TO on");
        }
        HikariDataSource dataSource = new HikariDataSource(config);
        try {
            var flyway = Flyway.configure().dataSource(dataSource).locations("classpath:db/migration");
            if (schema != null) {
                flyway.schemas(schema).createSchemas(true);
            }
            flyway.load().migrate();
        } catch (RuntimeException e) {
            dataSource.close();
            throw e;
        }
        H2Housekeeping housekeeping = null;
        if (jdbcUrl.startsWith("jdbc:h2:file:") && jdbcUrl.contains("WRITE_DELAY=0")) {
            try {
                housekeeping = H2Housekeeping.start(dataSource);
            } catch (SQLException | RuntimeException e) {
                dataSource.close();
                throw new StoreException("could not start the H2 housekeeping", e);
            }
        }
        return new JdbcChatStore(dataSource, housekeeping);
    }

    @Override
    public User createUser(String username, String passwordHash, String displayName) {
        User user = new User(Ids.newId("u"), username, displayName);
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement s = c.prepareStatement(
                    "INSERT INTO users (id, username, password_hash, display_name, created_at) VALUES (?, ?, ?, ?, ?)")) {
                s.setString(1, user.id());
                s.setString(2, username);
                s.setString(3, passwordHash);
                s.setString(4, displayName);
                s.setLong(5, System.currentTimeMillis());
                s.executeUpdate();
            }
        } catch (SQLException e) {
            if (isUniqueViolation(e)) {
                throw new UsernameTakenException(username);
            }
            throw failure("create user", e);
        }
        return user;
    }

    private static boolean isUniqueViolation(SQLException e) {
        // 23505: unique violation, in both PostgreSQL and H2
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && "23505".equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    @Override
    public Optional<User> findUser(String userId) {
        return queryOne("SELECT id, username, display_name FROM users WHERE id = ?",
                JdbcChatStore::user, userId);
    }

    @Override
    public Optional<StoredCredentials> findCredentials(String username) {
        return queryOne("SELECT id, username, display_name, password_hash FROM users WHERE username = ?",
                rs -> new StoredCredentials(user(rs), rs.getString(4)), username);
    }

    @Override
    public List<User> findUsers(Collection<String> userIds) {
        List<User> users = new ArrayList<>();
        if (userIds.isEmpty()) {
            return users;
        }
        String marks = String.join(",", java.util.Collections.nCopies(userIds.size(), "?"));
        return query("SELECT id, username, display_name FROM users WHERE id IN (" + marks + ") ORDER BY username",
                JdbcChatStore::user, userIds.toArray());
    }

    @Override
    public void updateDisplayName(String userId, String displayName) {
        update("UPDATE users SET display_name = ? WHERE id = ?", displayName, userId);
    }

    @Override
    public boolean updatePasswordHash(String userId, String expectedHash, String newHash) {
        return update("UPDATE users SET password_hash = ? WHERE id = ? AND password_hash = ?",
                newHash, userId, expectedHash) > 0;
    }

    @Override
    public List<String> saveToken(String tokenHash, String userId, long createdAt, int maxPerUser) {
        return inTransaction(c -> {
            lockUser(c, userId);
            execute(c, "INSERT INTO tokens (token_hash, user_id, created_at, last_used_at) VALUES (?, ?, ?, ?)",
                    tokenHash, userId, createdAt, createdAt);
            List<String> others = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("SELECT token_hash FROM tokens WHERE user_id = ?"
                    + " AND token_hash <> ? ORDER BY created_at DESC, token_hash DESC")) {
                bind(s, userId, tokenHash);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        others.add(rs.getString(1));
                    }
                }
            }
            List<String> deleted = new ArrayList<>(others.subList(Math.min(others.size(),
                    Math.max(0, maxPerUser - 1)), others.size()));
            for (String old : deleted) {
                execute(c, "DELETE FROM tokens WHERE token_hash = ?", old);
            }
            return deleted;
        });
    }

    /** Locks the user's row until the transaction ends, so token changes of one user happen one at a time. */
    private static void lockUser(Connection c, String userId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT id FROM users WHERE id = ? FOR UPDATE")) {
            bind(s, userId);
            s.executeQuery().close();
        }
    }

    @Override
    public Optional<StoredToken> findToken(String tokenHash) {
        return queryOne("SELECT t.user_id, u.username, t.created_at, t.last_used_at FROM tokens t"
                        + " JOIN users u ON u.id = t.user_id WHERE t.token_hash = ?",
                rs -> new StoredToken(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4)), tokenHash);
    }

    @Override
    public void touchToken(String tokenHash, long usedAt) {
        update("UPDATE tokens SET last_used_at = ? WHERE token_hash = ? AND (last_used_at IS NULL"
                + " OR last_used_at < ?)", usedAt, tokenHash, usedAt);
    }

    @Override
    public boolean deleteToken(String tokenHash) {
        return update("DELETE FROM tokens WHERE token_hash = ?", tokenHash) > 0;
    }

    @Override
    public List<String> deleteTokensOf(String userId) {
        return inTransaction(c -> {
            lockUser(c, userId);
            List<String> hashes = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("SELECT token_hash FROM tokens WHERE user_id = ?")) {
                bind(s, userId);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        hashes.add(rs.getString(1));
                    }
                }
            }
            execute(c, "DELETE FROM tokens WHERE user_id = ?", userId);
            return hashes;
        });
    }

    @Override
    public ChatThread createThread(String title, String creatorId) {
        ChatThread thread = new ChatThread(Ids.newId("t"), title);
        long now = System.currentTimeMillis();
        inTransaction(c -> {
            execute(c, "INSERT INTO threads (id, title, created_by, created_at) VALUES (?, ?, ?, ?)",
                    thread.id(), title, creatorId, now);
            execute(c, "INSERT INTO memberships (thread_id, user_id, joined_at) VALUES (?, ?, ?)",
                    thread.id(), creatorId, now);
            return null;
        });
        return thread;
    }

    @Override
    public Optional<ChatThread> findThread(String threadId) {
        return queryOne("SELECT id, title FROM threads WHERE id = ?",
                rs -> new ChatThread(rs.getString(1), rs.getString(2)), threadId);
    }

    @Override
    public List<ChatThread> threadsOf(String userId) {
        return query("SELECT t.id, t.title FROM threads t JOIN memberships m ON m.thread_id = t.id"
                        + " WHERE m.user_id = ? ORDER BY t.created_at, t.id",
                rs -> new ChatThread(rs.getString(1), rs.getString(2)), userId);
    }

    @Override
    public List<String> members(String threadId) {
        return query("SELECT user_id FROM memberships WHERE thread_id = ? ORDER BY joined_at, user_id",
                rs -> rs.getString(1), threadId);
    }

    @Override
    public boolean isMember(String threadId, String userId) {
        return queryOne("SELECT 1 FROM memberships WHERE thread_id = ? AND user_id = ?",
                rs -> true, threadId, userId).isPresent();
    }

    @Override
    public void forEachMembership(BiConsumer<String, String> action) {
        forEach("SELECT thread_id, user_id FROM memberships", rs -> action.accept(rs.getString(1), rs.getString(2)));
    }

    @Override
    public Invitation createInvitation(String threadId, String fromUserId, String toUserId) {
        String id = Ids.newId("i");
        update("INSERT INTO invitations (id, thread_id, from_user_id, to_user_id, created_at) VALUES (?, ?, ?, ?, ?)",
                id, threadId, fromUserId, toUserId, System.currentTimeMillis());
        return findPendingInvitation(id).orElseThrow();
    }

    /** An invitation is pending until it is accepted or declined. */
    private static final String PENDING = "accepted_at IS NULL AND declined_at IS NULL";

    private static final String INVITATION = "SELECT i.id, i.thread_id, t.title, u.id, u.username, u.display_name,"
            + " i.to_user_id FROM invitations i JOIN threads t ON t.id = i.thread_id"
            + " JOIN users u ON u.id = i.from_user_id WHERE i.accepted_at IS NULL AND i.declined_at IS NULL";

    @Override
    public Optional<Invitation> findPendingInvitation(String invitationId) {
        return queryOne(INVITATION + " AND i.id = ?", JdbcChatStore::invitation, invitationId);
    }

    @Override
    public List<Invitation> pendingInvitationsFor(String userId) {
        return query(INVITATION + " AND i.to_user_id = ? ORDER BY i.created_at, i.id",
                JdbcChatStore::invitation, userId);
    }

    @Override
    public boolean hasPendingInvitation(String threadId, String toUserId) {
        return queryOne("SELECT 1 FROM invitations WHERE thread_id = ? AND to_user_id = ? AND " + PENDING,
                rs -> true, threadId, toUserId).isPresent();
    }

    @Override
    public boolean acceptInvitation(String invitationId, String userId) {
        long now = System.currentTimeMillis();
        return inTransaction(c -> {
            String threadId;
            try (PreparedStatement s = c.prepareStatement("SELECT thread_id FROM invitations"
                    + " WHERE id = ? AND to_user_id = ? AND " + PENDING + " FOR UPDATE")) {
                s.setString(1, invitationId);
                s.setString(2, userId);
                try (ResultSet rs = s.executeQuery()) {
                    if (!rs.next()) {
                        return false;
                    }
                    threadId = rs.getString(1);
                }
            }
            execute(c, "UPDATE invitations SET accepted_at = ? WHERE thread_id = ? AND to_user_id = ?"
                    + " AND " + PENDING, now, threadId, userId);
            boolean member;
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT 1 FROM memberships WHERE thread_id = ? AND user_id = ?")) {
                s.setString(1, threadId);
                s.setString(2, userId);
                try (ResultSet rs = s.executeQuery()) {
                    member = rs.next();
                }
            }
            if (!member) {
                execute(c, "INSERT INTO memberships (thread_id, user_id, joined_at) VALUES (?, ?, ?)",
                        threadId, userId, now);
            }
            return true;
        });
    }

    @Override
    public boolean declineInvitation(String invitationId, String userId) {
        // one conditional update: against a concurrent accept, the row lock makes one of the two see it pending
        return update("UPDATE invitations SET declined_at = ? WHERE id = ? AND to_user_id = ? AND " + PENDING,
                System.currentTimeMillis(), invitationId, userId) > 0;
    }

    @Override
    public boolean leaveThread(String threadId, String userId) {
        return update("DELETE FROM memberships WHERE thread_id = ? AND user_id = ?", threadId, userId) > 0;
    }

    @Override
    public Message addMessage(String threadId, String senderId, String text) {
        Message message = new Message(Ids.newId("m"), threadId, senderId, text, System.currentTimeMillis());
        update("INSERT INTO messages (id, thread_id, sender_id, body, created_at) VALUES (?, ?, ?, ?, ?)",
                message.id(), threadId, senderId, text, message.createdAt());
        return message;
    }

    @Override
    public List<Message> messages(String threadId, int limit, String beforeMessageId) {
        String select = "SELECT id, thread_id, sender_id, body, created_at FROM messages WHERE thread_id = ?";
        if (beforeMessageId == null) {
            return query(select + " ORDER BY seq DESC LIMIT " + limit, JdbcChatStore::message, threadId);
        }
        return query(select + " AND seq < (SELECT seq FROM messages WHERE id = ? AND thread_id = ?)"
                + " ORDER BY seq DESC LIMIT " + limit, JdbcChatStore::message, threadId, beforeMessageId, threadId);
    }

    @Override
    public void saveStatuses(Collection<UserStatus> statuses) {
        if (statuses.isEmpty()) {
            return;
        }
        inTransaction(c -> {
            // GREATEST keeps a late, older batch from moving a user's version back
            try (PreparedStatement s = c.prepareStatement("UPDATE users SET last_seen = GREATEST(last_seen, ?),"
                    + " status_version = GREATEST(status_version, ?) WHERE id = ?")) {
                for (UserStatus status : statuses) {
                    s.setLong(1, status.lastSeen());
                    s.setLong(2, status.version());
                    s.setString(3, status.userId());
                    s.addBatch();
                }
                s.executeBatch();
            }
            return null;
        });
    }

    @Override
    public void forEachStatus(Consumer<UserStatus> action) {
        forEach("SELECT id, last_seen, status_version FROM users",
                rs -> action.accept(new UserStatus(rs.getString(1), false, rs.getLong(2), rs.getLong(3))));
    }

    @Override
    public void close() {
        if (housekeeping != null) {
            housekeeping.close();
        }
        dataSource.close();
    }

    // --- JDBC plumbing -------------------------------------------------------------------------------

    @FunctionalInterface
    private interface RowMapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    @FunctionalInterface
    private interface RowAction {
        void accept(ResultSet rs) throws SQLException;
    }

    @FunctionalInterface
    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private static User user(ResultSet rs) throws SQLException {
        return new User(rs.getString(1), rs.getString(2), rs.getString(3));
    }

    private static Invitation invitation(ResultSet rs) throws SQLException {
        return new Invitation(rs.getString(1), rs.getString(2), rs.getString(3),
                new User(rs.getString(4), rs.getString(5), rs.getString(6)), rs.getString(7));
    }

    private static Message message(ResultSet rs) throws SQLException {
        return new Message(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getLong(5));
    }

    private <T> List<T> query(String sql, RowMapper<T> mapper, Object... params) {
        List<T> rows = new ArrayList<>();
        forEach(sql, rs -> rows.add(mapper.map(rs)), params);
        return rows;
    }

    private <T> Optional<T> queryOne(String sql, RowMapper<T> mapper, Object... params) {
        List<T> rows = query(sql, mapper, params);
        return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
    }

    private void forEach(String sql, RowAction action, Object... params) {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            bind(s, params);
            s.setFetchSize(1000);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    action.accept(rs);
                }
            }
        } catch (SQLException e) {
            throw failure(sql, e);
        }
    }

    private int update(String sql, Object... params) {
        try (Connection c = dataSource.getConnection()) {
            return execute(c, sql, params);
        } catch (SQLException e) {
            throw failure(sql, e);
        }
    }

    private static int execute(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            bind(s, params);
            return s.executeUpdate();
        }
    }

    private <T> T inTransaction(Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw failure("transaction", e);
        }
    }

    private static void bind(PreparedStatement s, Object... params) throws SQLException {
        for (int i = 0; i < params.length; i++) {
            s.setObject(i + 1, params[i]);
        }
    }

    private static StoreException failure(String what, SQLException e) {
        return new StoreException("database failed: " + what, e);
    }
}
