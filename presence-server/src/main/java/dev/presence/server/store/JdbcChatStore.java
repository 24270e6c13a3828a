package dev.presence.server.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.presence.core.UserStatus;
import dev.presence.server.domain.ChatThread;
import dev.presence.server.domain.Invitation;
import dev.presence.server.domain.Message;
import dev.presence.server.domain.User;
import dev.presence.server.presence.StatusStore;
import org.flywaydb.core.Flyway;

import java.nio.file.Path;
import java.sql.SQLException;
import java.time.InstantSource;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The chat database on JDBC: H2 embedded by default, PostgreSQL in production, one set of Flyway migrations. It
 * opens the connection pool and migrates, then serves each consumer's port from a store of its own
 * ({@link #accounts}, {@link #threads}, {@link #messages}, {@link #statuses}), all on one pool; as a
 * {@link ChatStore} it hands every call to those.
 */
public final class JdbcChatStore implements ChatStore {

    private final HikariDataSource dataSource;
    /** For an H2 file database only. */
    private final H2Housekeeping housekeeping;
    private final AccountStore accounts;
    private final ThreadStore threads;
    private final MessageStore messages;
    private final StatusStore statuses;

    private JdbcChatStore(HikariDataSource dataSource, H2Housekeeping housekeeping, InstantSource clock,
                          IdGenerator ids) {
        this.dataSource = dataSource;
        this.housekeeping = housekeeping;
        Jdbc jdbc = new Jdbc(dataSource);
        this.accounts = new JdbcAccountStore(jdbc, clock, ids);
        this.threads = new JdbcThreadStore(jdbc, clock, ids);
        this.messages = new JdbcMessageStore(jdbc, clock, ids);
        this.statuses = new JdbcStatusStore(jdbc);
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
        return embedded(dataDir, InstantSource.system(), IdGenerator.random());
    }

    /** {@link #embedded(Path)} with the given clock (creation times) and id generator (new rows' ids). */
    public static JdbcChatStore embedded(Path dataDir, InstantSource clock, IdGenerator ids) {
        Path file = dataDir.toAbsolutePath().resolve("presence");
        return open("jdbc:h2:file:" + file + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0", null, clock, ids);
    }

    /**
     * Opens a database by JDBC URL (PostgreSQL, or any H2 URL), migrating it to the current schema.
     *
     * @param schema where the tables are (created if missing), or null for the connection's default
     */
    public static JdbcChatStore open(String jdbcUrl, String schema) {
        return open(jdbcUrl, schema, InstantSource.system(), IdGenerator.random());
    }

    /** {@link #open(String, String)} with the given clock (creation times) and id generator (new rows' ids). */
    public static JdbcChatStore open(String jdbcUrl, String schema, InstantSource clock, IdGenerator ids) {
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
        return new JdbcChatStore(dataSource, housekeeping, clock, ids);
    }

    /** Users, password hashes and tokens. */
    public AccountStore accounts() {
        return accounts;
    }

    /** Threads, memberships and invitations. */
    public ThreadStore threads() {
        return threads;
    }

    /** Messages. */
    public MessageStore messages() {
        return messages;
    }

    /** What the presence hub keeps: memberships to read at start-up, and last seen and versions. */
    public StatusStore statuses() {
        return statuses;
    }

    @Override
    public User createUser(String username, String passwordHash, String displayName) {
        return accounts.createUser(username, passwordHash, displayName);
    }

    @Override
    public Optional<User> findUser(String userId) {
        return accounts.findUser(userId);
    }

    @Override
    public Optional<StoredCredentials> findCredentials(String username) {
        return accounts.findCredentials(username);
    }

    @Override
    public List<User> findUsers(Collection<String> userIds) {
        return accounts.findUsers(userIds);
    }

    @Override
    public void updateDisplayName(String userId, String displayName) {
        accounts.updateDisplayName(userId, displayName);
    }

    @Override
    public boolean updatePasswordHash(String userId, String expectedHash, String newHash) {
        return accounts.updatePasswordHash(userId, expectedHash, newHash);
    }

    @Override
    public List<String> saveToken(String tokenHash, String userId, long createdAt, int maxPerUser) {
        return accounts.saveToken(tokenHash, userId, createdAt, maxPerUser);
    }

    @Override
    public Optional<StoredToken> findToken(String tokenHash) {
        return accounts.findToken(tokenHash);
    }

    @Override
    public void touchToken(String tokenHash, long usedAt) {
        accounts.touchToken(tokenHash, usedAt);
    }

    @Override
    public boolean deleteToken(String tokenHash) {
        return accounts.deleteToken(tokenHash);
    }

    @Override
    public List<String> deleteTokensOf(String userId) {
        return accounts.deleteTokensOf(userId);
    }

    @Override
    public ChatThread createThread(String title, String creatorId) {
        return threads.createThread(title, creatorId);
    }

    @Override
    public Optional<ChatThread> findThread(String threadId) {
        return threads.findThread(threadId);
    }

    @Override
    public List<ChatThread> threadsOf(String userId) {
        return threads.threadsOf(userId);
    }

    @Override
    public List<String> members(String threadId) {
        return threads.members(threadId);
    }

    @Override
    public boolean isMember(String threadId, String userId) {
        return threads.isMember(threadId, userId);
    }

    @Override
    public Invitation createInvitation(String threadId, String fromUserId, String toUserId) {
        return threads.createInvitation(threadId, fromUserId, toUserId);
    }

    @Override
    public Optional<Invitation> findPendingInvitation(String invitationId) {
        return threads.findPendingInvitation(invitationId);
    }

    @Override
    public List<Invitation> pendingInvitationsFor(String userId) {
        return threads.pendingInvitationsFor(userId);
    }

    @Override
    public boolean hasPendingInvitation(String threadId, String toUserId) {
        return threads.hasPendingInvitation(threadId, toUserId);
    }

    @Override
    public boolean acceptInvitation(String invitationId, String userId) {
        return threads.acceptInvitation(invitationId, userId);
    }

    @Override
    public boolean declineInvitation(String invitationId, String userId) {
        return threads.declineInvitation(invitationId, userId);
    }

    @Override
    public boolean leaveThread(String threadId, String userId) {
        return threads.leaveThread(threadId, userId);
    }

    @Override
    public Message addMessage(String threadId, String senderId, String text) {
        return messages.addMessage(threadId, senderId, text);
    }

    @Override
    public List<Message> messages(String threadId, int limit, String beforeMessageId) {
        return messages.messages(threadId, limit, beforeMessageId);
    }

    @Override
    public void forEachMembership(BiConsumer<String, String> action) {
        statuses.forEachMembership(action);
    }

    @Override
    public void forEachStatus(Consumer<UserStatus> action) {
        statuses.forEachStatus(action);
    }

    @Override
    public void saveStatuses(Collection<UserStatus> statuses) {
        this.statuses.saveStatuses(statuses);
    }

    @Override
    public void close() {
        if (housekeeping != null) {
            housekeeping.close();
        }
        dataSource.close();
    }
}
