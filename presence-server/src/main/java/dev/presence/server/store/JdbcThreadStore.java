package dev.presence.server.store;

import dev.presence.server.domain.ChatThread;
import dev.presence.server.domain.Invitation;
import dev.presence.server.domain.User;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;

/** Threads, memberships and invitations on JDBC (tables {@code threads}, {@code memberships}, {@code invitations}). */
final class JdbcThreadStore implements ThreadStore {

    /** An invitation is pending until it is accepted or declined. */
    private static final String PENDING = "accepted_at IS NULL AND declined_at IS NULL";

    private static final String INVITATION = "SELECT i.id, i.thread_id, t.title, u.id, u.username, u.display_name,"
            + " i.to_user_id FROM invitations i JOIN threads t ON t.id = i.thread_id"
            + " JOIN users u ON u.id = i.from_user_id WHERE i.accepted_at IS NULL AND i.declined_at IS NULL";

    private final Jdbc jdbc;
    private final InstantSource clock;
    private final IdGenerator ids;

    JdbcThreadStore(Jdbc jdbc, InstantSource clock, IdGenerator ids) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.ids = ids;
    }

    @Override
    public ChatThread createThread(String title, String creatorId) {
        ChatThread thread = new ChatThread(ids.newId("t"), title);
        long now = clock.millis();
        jdbc.inTransaction("create a thread", tx -> {
            tx.update("INSERT INTO threads (id, title, created_by, created_at) VALUES (?, ?, ?, ?)",
                    thread.id(), title, creatorId, now);
            tx.update("INSERT INTO memberships (thread_id, user_id, joined_at) VALUES (?, ?, ?)",
                    thread.id(), creatorId, now);
            return null;
        });
        return thread;
    }

    @Override
    public Optional<ChatThread> findThread(String threadId) {
        return jdbc.queryOne("SELECT id, title FROM threads WHERE id = ?", JdbcThreadStore::thread, threadId);
    }

    @Override
    public List<ChatThread> threadsOf(String userId) {
        return jdbc.query("SELECT t.id, t.title FROM threads t JOIN memberships m ON m.thread_id = t.id"
                + " WHERE m.user_id = ? ORDER BY t.created_at, t.id", JdbcThreadStore::thread, userId);
    }

    @Override
    public List<String> members(String threadId) {
        return jdbc.query("SELECT user_id FROM memberships WHERE thread_id = ? ORDER BY joined_at, user_id",
                rs -> rs.getString(1), threadId);
    }

    @Override
    public boolean isMember(String threadId, String userId) {
        return jdbc.queryOne("SELECT 1 FROM memberships WHERE thread_id = ? AND user_id = ?",
                rs -> true, threadId, userId).isPresent();
    }

    @Override
    public Invitation createInvitation(String threadId, String fromUserId, String toUserId) {
        String id = ids.newId("i");
        jdbc.update("INSERT INTO invitations (id, thread_id, from_user_id, to_user_id, created_at)"
                + " VALUES (?, ?, ?, ?, ?)", id, threadId, fromUserId, toUserId, clock.millis());
        return findPendingInvitation(id).orElseThrow();
    }

    @Override
    public Optional<Invitation> findPendingInvitation(String invitationId) {
        return jdbc.queryOne(INVITATION + " AND i.id = ?", JdbcThreadStore::invitation, invitationId);
    }

    @Override
    public List<Invitation> pendingInvitationsFor(String userId) {
        return jdbc.query(INVITATION + " AND i.to_user_id = ? ORDER BY i.created_at, i.id",
                JdbcThreadStore::invitation, userId);
    }

    @Override
    public boolean hasPendingInvitation(String threadId, String toUserId) {
        return jdbc.queryOne("SELECT 1 FROM invitations WHERE thread_id = ? AND to_user_id = ? AND " + PENDING,
                rs -> true, threadId, toUserId).isPresent();
    }

    @Override
    public boolean acceptInvitation(String invitationId, String userId) {
        long now = clock.millis();
        return jdbc.inTransaction("accept an invitation", tx -> {
            // the row lock makes a concurrent accept or decline of this invitation wait, then find it settled
            Optional<String> threadId = tx.queryOne("SELECT thread_id FROM invitations"
                    + " WHERE id = ? AND to_user_id = ? AND " + PENDING + " FOR UPDATE",
                    rs -> rs.getString(1), invitationId, userId);
            if (threadId.isEmpty()) {
                return false;
            }
            tx.update("UPDATE invitations SET accepted_at = ? WHERE thread_id = ? AND to_user_id = ? AND " + PENDING,
                    now, threadId.get(), userId);
            boolean member = tx.queryOne("SELECT 1 FROM memberships WHERE thread_id = ? AND user_id = ?",
                    rs -> true, threadId.get(), userId).isPresent();
            if (!member) {
                tx.update("INSERT INTO memberships (thread_id, user_id, joined_at) VALUES (?, ?, ?)",
                        threadId.get(), userId, now);
            }
            return true;
        });
    }

    @Override
    public boolean declineInvitation(String invitationId, String userId) {
        // one conditional update: against a concurrent accept, the row lock makes one of the two see it pending
        return jdbc.update("UPDATE invitations SET declined_at = ? WHERE id = ? AND to_user_id = ? AND " + PENDING,
                clock.millis(), invitationId, userId) > 0;
    }

    @Override
    public boolean leaveThread(String threadId, String userId) {
        return jdbc.update("DELETE FROM memberships WHERE thread_id = ? AND user_id = ?", threadId, userId) > 0;
    }

    private static ChatThread thread(ResultSet rs) throws SQLException {
        return new ChatThread(rs.getString(1), rs.getString(2));
    }

    private static Invitation invitation(ResultSet rs) throws SQLException {
        return new Invitation(rs.getString(1), rs.getString(2), rs.getString(3),
                new User(rs.getString(4), rs.getString(5), rs.getString(6)), rs.getString(7));
    }
}
