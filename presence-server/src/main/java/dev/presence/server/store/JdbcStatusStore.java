package dev.presence.server.store;

import dev.presence.core.UserStatus;
import dev.presence.server.presence.StatusStore;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The hub's statuses on JDBC: {@code last_seen} and {@code status_version} of {@code users}, the memberships, and
 * the flips for webhooks into {@code webhook_outbox} in the same transaction as the statuses.
 */
final class JdbcStatusStore implements StatusStore {

    private final Jdbc jdbc;

    JdbcStatusStore(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public void forEachMembership(BiConsumer<String, String> action) {
        jdbc.forEach("SELECT thread_id, user_id FROM memberships",
                rs -> action.accept(rs.getString(1), rs.getString(2)));
    }

    @Override
    public void forEachStatus(Consumer<UserStatus> action) {
        jdbc.forEach("SELECT id, last_seen, status_version FROM users",
                rs -> action.accept(new UserStatus(rs.getString(1), false, rs.getLong(2), rs.getLong(3))));
    }

    @Override
    public void saveStatuses(Collection<UserStatus> statuses, List<UserStatus> flips) {
        if (statuses.isEmpty() && flips.isEmpty()) {
            return;
        }
        List<Object[]> rows = new ArrayList<>(statuses.size());
        for (UserStatus status : statuses) {
            rows.add(new Object[] {status.lastSeen(), status.version(), status.userId()});
        }
        for (int attempt = 1; ; attempt++) {
            try {
                jdbc.inTransaction("save statuses", tx -> {
                    if (!rows.isEmpty()) {
                        // GREATEST keeps a late, older batch from moving a user's version back
                        tx.batch("UPDATE users SET last_seen = GREATEST(last_seen, ?),"
                                + " status_version = GREATEST(status_version, ?) WHERE id = ?", rows);
                    }
                    JdbcWebhookOutbox.add(tx, flips, System.currentTimeMillis());
                    return null;
                });
                return;
            } catch (StoreException e) {
                // another node added the same flip meanwhile; run again, and the flip is found there
                if (attempt == 3 || flips.isEmpty() || !Jdbc.isUniqueViolation(e)) {
                    throw e;
                }
            }
        }
    }
}
