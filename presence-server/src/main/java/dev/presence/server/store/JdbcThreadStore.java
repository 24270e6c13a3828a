package dev.presence.server.store;

import dev.presence.server.domain.ChatThread;
import dev.presence.server.domain.Invitation;
import dev.presence.server.domain.User;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

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

    @Override
    public ThreadWrite putThread(String threadId, String title, Collection<String> memberIds) {
        try {
            return jdbc.inTransaction("put a thread", tx -> putThread(tx, threadId, title, memberIds));
        } catch (StoreException e) {
            if (!Jdbc.isUniqueViolation(e)) {
                throw e;
            }
            // two calls created the same thread at once: this one lost, and now finds it there to update
            return jdbc.inTransaction("put a thread", tx -> putThread(tx, threadId, title, memberIds));
        }
    }

    private ThreadWrite putThread(Jdbc.Transaction tx, String threadId, String title, Collection<String> memberIds)
            throws SQLException {
        long now = clock.millis();
        // the row lock serializes concurrent puts of one thread (and their member lists)
        Optional<String> oldTitle = tx.queryOne("SELECT title FROM threads WHERE id = ? FOR UPDATE",
                rs -> rs.getString(1), threadId);
        if (oldTitle.isEmpty()) {
            tx.update("INSERT INTO threads (id, title, created_by, created_at) VALUES (?, ?, NULL, ?)",
                    threadId, title, now);
        } else if (!oldTitle.get().equals(title)) {
            tx.update("UPDATE threads SET title = ? WHERE id = ?", title, threadId);
        }
        Set<String> wanted = new LinkedHashSet<>(memberIds);
        Set<String> current = new HashSet<>(tx.query("SELECT user_id FROM memberships WHERE thread_id = ?",
                rs -> rs.getString(1), threadId));
        List<String> removed = new ArrayList<>();
        for (String member : current) {
            if (!wanted.contains(member)) {
                removed.add(member);
            }
        }
        Collections.sort(removed);
        List<String> added = new ArrayList<>();
        for (String member : wanted) {
            if (!current.contains(member)) {
                added.add(member);
            }
        }
        List<Object[]> deletions = new ArrayList<>(removed.size());
        for (String member : removed) {
            deletions.add(new Object[] {threadId, member});
        }
        if (!deletions.isEmpty()) {
            tx.batch("DELETE FROM memberships WHERE thread_id = ? AND user_id = ?", deletions);
        }
        insertMembers(tx, threadId, added, now);
        return new ThreadWrite(new ChatThread(threadId, title), oldTitle.isEmpty(), added, removed);
    }

    @Override
    public List<String> addMembers(String threadId, Collection<String> userIds) {
        long now = clock.millis();
        return jdbc.inTransaction("add members to a thread", tx -> {
            // locked like putThread, so an add and a put of one thread never interleave
            if (tx.queryOne("SELECT id FROM threads WHERE id = ? FOR UPDATE", rs -> true, threadId).isEmpty()) {
                throw new StoreException("no thread " + threadId, null);
            }
            Set<String> current = new HashSet<>(tx.query("SELECT user_id FROM memberships WHERE thread_id = ?",
                    rs -> rs.getString(1), threadId));
            List<String> added = new ArrayList<>();
            for (String user : new LinkedHashSet<>(userIds)) {
                if (!current.contains(user)) {
                    added.add(user);
                }
            }
            insertMembers(tx, threadId, added, now);
            return added;
        });
    }

    private static void insertMembers(Jdbc.Transaction tx, String threadId, List<String> userIds, long now)
            throws SQLException {
        if (userIds.isEmpty()) {
            return;
        }
        List<Object[]> rows = new ArrayList<>(userIds.size());
        for (String user : userIds) {
            rows.add(new Object[] {threadId, user, now});
        }
        tx.batch("INSERT INTO memberships (thread_id, user_id, joined_at) VALUES (?, ?, ?)", rows);
    }

    private static ChatThread thread(ResultSet rs) throws SQLException {
        return new ChatThread(rs.getString(1), rs.getString(2));
    }

    private static Invitation invitation(ResultSet rs) throws SQLException {
        return new Invitation(rs.getString(1), rs.getString(2), rs.getString(3),
                new User(rs.getString(4), rs.getString(5), rs.getString(6)), rs.getString(7));
    }
}
