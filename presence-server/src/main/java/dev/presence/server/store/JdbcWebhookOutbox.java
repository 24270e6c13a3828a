package dev.presence.server.store;

import dev.presence.core.UserStatus;

import java.sql.SQLException;
import java.util.List;

/** The webhook outbox on JDBC (tables of migration V6); one schema for H2 and PostgreSQL. */
final class JdbcWebhookOutbox implements WebhookOutbox {

    private final Jdbc jdbc;

    JdbcWebhookOutbox(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Adds flips inside the caller's transaction, each unless it is there already or its user has had that
     * version or a later one delivered (a replay after a crash). Two nodes adding the same change at once: one
     * of them fails on the key (SQLSTATE 23505) and its caller runs the transaction again.
     */
    static void add(Jdbc.Transaction tx, List<UserStatus> flips, long now) throws SQLException {
        for (UserStatus flip : flips) {
            boolean known = tx.queryOne("SELECT 1 FROM webhook_outbox WHERE user_id = ? AND version = ?"
                            + " UNION ALL SELECT 1 FROM webhook_users WHERE user_id = ? AND delivered_version >= ?",
                    rs -> true, flip.userId(), flip.version(), flip.userId(), flip.version()).isPresent();
            if (!known) {
                tx.update("INSERT INTO webhook_outbox (user_id, version, is_online, last_seen, created_at)"
                        + " VALUES (?, ?, ?, ?, ?)", flip.userId(), flip.version(), flip.online(), flip.lastSeen(), now);
            }
        }
    }

    @Override
    public boolean acquireLease(String holder, long now, long expiresAt) {
        return jdbc.update("UPDATE webhook_lease SET holder = ?, expires_at = ? WHERE id = 1"
                + " AND (holder = ? OR holder IS NULL OR expires_at < ?)", holder, expiresAt, holder, now) == 1;
    }

    @Override
    public void releaseLease(String holder) {
        jdbc.update("UPDATE webhook_lease SET holder = NULL, expires_at = 0 WHERE id = 1 AND holder = ?", holder);
    }

    @Override
    public List<Change> readyHeads(long now, int limit) {
        return jdbc.query("SELECT o.user_id, o.version, o.is_online, o.last_seen, o.created_at,"
                        + " COALESCE(u.delivered_version, 0), COALESCE(u.failures, 0)"
                        + " FROM webhook_outbox o LEFT JOIN webhook_users u ON u.user_id = o.user_id"
                        + " WHERE o.version = (SELECT MIN(m.version) FROM webhook_outbox m WHERE m.user_id = o.user_id)"
                        + " AND (u.retry_at IS NULL OR u.retry_at <= ?)"
                        + " ORDER BY o.created_at, o.user_id LIMIT ?",
                rs -> new Change(rs.getString(1), rs.getLong(2), rs.getBoolean(3), rs.getLong(4), rs.getLong(5),
                        rs.getLong(6), rs.getInt(7)), now, limit);
    }

    @Override
    public void delivered(String userId, long version) {
        jdbc.inTransaction("mark a webhook delivered", tx -> {
            tx.update("DELETE FROM webhook_outbox WHERE user_id = ? AND version <= ?", userId, version);
            setUser(tx, userId, version, 0, 0);
            return null;
        });
    }

    @Override
    public void failed(String userId, int failures, long retryAt) {
        jdbc.inTransaction("schedule a webhook retry", tx -> {
            setUser(tx, userId, 0, failures, retryAt);
            return null;
        });
    }

    /** Upserts a user's row; only the lease holder writes these, so the insert does not race in practice. */
    private static void setUser(Jdbc.Transaction tx, String userId, long deliveredVersion, int failures,
                                long retryAt) throws SQLException {
        int updated = tx.update("UPDATE webhook_users SET delivered_version = GREATEST(delivered_version, ?),"
                + " failures = ?, retry_at = ? WHERE user_id = ?", deliveredVersion, failures, retryAt, userId);
        if (updated == 0) {
            tx.update("INSERT INTO webhook_users (user_id, delivered_version, failures, retry_at) VALUES (?, ?, ?, ?)",
                    userId, deliveredVersion, failures, retryAt);
        }
    }

    @Override
    public Backlog backlog(int countLimit) {
        long depth = jdbc.queryOne("SELECT COUNT(*) FROM (SELECT 1 AS x FROM webhook_outbox LIMIT ?) AS capped",
                rs -> rs.getLong(1), countLimit).orElse(0L);
        long oldest = jdbc.queryOne("SELECT MIN(created_at) FROM webhook_outbox", rs -> rs.getLong(1)).orElse(0L);
        return new Backlog(depth, oldest);
    }
}
