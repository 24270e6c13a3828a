package dev.presence.server.store;

import dev.presence.server.domain.Message;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.InstantSource;
import java.util.List;

/** Messages on JDBC (table {@code messages}); their order is the table's sequence, not their time. */
final class JdbcMessageStore implements MessageStore {

    private static final String SELECT = "SELECT id, thread_id, sender_id, body, created_at FROM messages"
            + " WHERE thread_id = ?";

    private final Jdbc jdbc;
    private final InstantSource clock;
    private final IdGenerator ids;

    JdbcMessageStore(Jdbc jdbc, InstantSource clock, IdGenerator ids) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.ids = ids;
    }

    @Override
    public Message addMessage(String threadId, String senderId, String text) {
        Message message = new Message(ids.newId("m"), threadId, senderId, text, clock.millis());
        jdbc.update("INSERT INTO messages (id, thread_id, sender_id, body, created_at) VALUES (?, ?, ?, ?, ?)",
                message.id(), threadId, senderId, text, message.createdAt());
        return message;
    }

    @Override
    public List<Message> messages(String threadId, int limit, String beforeMessageId) {
        if (beforeMessageId == null) {
            return jdbc.query(SELECT + " ORDER BY seq DESC LIMIT " + limit, JdbcMessageStore::message, threadId);
        }
        return jdbc.query(SELECT + " AND seq < (SELECT seq FROM messages WHERE id = ? AND thread_id = ?)"
                + " ORDER BY seq DESC LIMIT " + limit, JdbcMessageStore::message, threadId, beforeMessageId, threadId);
    }

    private static Message message(ResultSet rs) throws SQLException {
        return new Message(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getLong(5));
    }
}
