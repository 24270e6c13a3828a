package dev.presence.server.store;

import dev.presence.core.UserStatus;
import dev.presence.server.domain.ChatThread;
import dev.presence.server.domain.Invitation;
import dev.presence.server.domain.Message;
import dev.presence.server.domain.User;
import dev.presence.server.presence.StatusStore;

import java.nio.file.Path;
import java.time.InstantSource;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The chat stores on JDBC: H2 embedded by default, PostgreSQL in production, one set of Flyway migrations. Opening
 * one opens the database; each consumer's port is served by a store of its own ({@link #accounts},
 * {@link #threads}, {@link #messages}, {@link #statuses}), all on one connection pool; as a {@link ChatStore} it
 * hands every call to those.
 */
public final class JdbcChatStore implements ChatStore {

    private final AccountStore accounts;
    private final ThreadStore threads;
    private final MessageStore messages;
    private final StatusStore statuses;
    private final WebhookOutbox webhooks;
    private final Runnable closeDatabase;

    /** The aggregate of the given stores; {@code closeDatabase} is what {@link #close} does. */
    JdbcChatStore(AccountStore accounts, ThreadStore threads, MessageStore messages, StatusStore statuses,
                  WebhookOutbox webhooks, Runnable closeDatabase) {
        this.webhooks = webhooks;
        this.accounts = accounts;
        this.threads = threads;
        this.messages = messages;
        this.statuses = statuses;
        this.closeDatabase = closeDatabase;
    }

    /**
     * Opens the embedded H2 database under {@code dataDir}, migrating it to the current schema. Every commit is
     * in the file before it returns ({@code WRITE_DELAY=0}; {@code JdbcDatabase} says why and at what cost).
     */
    public static JdbcChatStore embedded(Path dataDir) {
        return embedded(dataDir, InstantSource.system(), IdGenerator.random());
    }

    /** {@link #embedded(Path)} with the given clock (creation times) and id generator (new rows' ids). */
    public static JdbcChatStore embedded(Path dataDir, InstantSource clock, IdGenerator ids) {
        return over(JdbcDatabase.embedded(dataDir), clock, ids);
    }

    /**
     * Opens a database by JDBC URL (PostgreSQL, or any H2 URL), migrating it to the current schema. On PostgreSQL
     * every connection sets {@code synchronous_commit} on, so a commit returns once it is durable.
     *
     * @param schema where the tables are (created if missing), or null for the connection's default
     */
    public static JdbcChatStore open(String jdbcUrl, String schema) {
        return open(jdbcUrl, schema, InstantSource.system(), IdGenerator.random());
    }

    /** {@link #open(String, String)} with the given clock (creation times) and id generator (new rows' ids). */
    public static JdbcChatStore open(String jdbcUrl, String schema, InstantSource clock, IdGenerator ids) {
        return over(JdbcDatabase.open(jdbcUrl, schema), clock, ids);
    }

    private static JdbcChatStore over(JdbcDatabase database, InstantSource clock, IdGenerator ids) {
        Jdbc jdbc = database.jdbc();
        return new JdbcChatStore(new JdbcAccountStore(jdbc, clock, ids), new JdbcThreadStore(jdbc, clock, ids),
                new JdbcMessageStore(jdbc, clock, ids), new JdbcStatusStore(jdbc), new JdbcWebhookOutbox(jdbc),
                database::close);
    }

    /** The webhook outbox, on the same database as the statuses whose flips it holds. */
    public WebhookOutbox webhooks() {
        return webhooks;
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
    public Optional<StoredAccount> findAccount(String userId) {
        return accounts.findAccount(userId);
    }

    @Override
    public AppUserWrite putAppUser(String userId, String username, String displayName) {
        return accounts.putAppUser(userId, username, displayName);
    }

    @Override
    public List<AppUserWrite> putAppUsers(List<AppUserFields> users) {
        return accounts.putAppUsers(users);
    }

    @Override
    public ThreadWrite putThread(String threadId, String title, Collection<String> memberIds) {
        return threads.putThread(threadId, title, memberIds);
    }

    @Override
    public List<String> addMembers(String threadId, Collection<String> userIds) {
        return threads.addMembers(threadId, userIds);
    }

    @Override
    public List<String> createMissingAppUsers(Collection<String> userIds) {
        return accounts.createMissingAppUsers(userIds);
    }

    @Override
    public List<String> revokeSessions(String userId, long revokedAt) {
        return accounts.revokeSessions(userId, revokedAt);
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
    public void saveStatuses(Collection<UserStatus> statuses, List<UserStatus> flips) {
        this.statuses.saveStatuses(statuses, flips);
    }

    @Override
    public void close() {
        closeDatabase.run();
    }
}
