package dev.presence.bench;

import dev.presence.server.chat.Passwords;
import dev.presence.server.chat.Tokens;
import dev.presence.server.store.JdbcChatStore;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Bench-only bulk provisioning. Before the server starts, it creates the embedded H2 database under a fresh
 * {@code --data-dir} with the server's own Flyway migrations ({@link JdbcChatStore#embedded}, then closed), and
 * inserts with batched JDBC: N users (one precomputed bcrypt hash for all), one random token each (the store
 * keeps its SHA-256 hex, as {@link Tokens#hash} does; the bench keeps the tokens), and N threads of 5 members
 * laid out as a {@link Ring}. No HTTP call per user: 19,000 users take seconds, not the ~15 minutes of
 * 19,000 bcrypt signups.
 */
final class Provisioner {

    private static final int BATCH = 2_000;

    private Provisioner() {
    }

    /** The tokens of users 0..N-1, in order. */
    static List<String> provision(Path dataDir, int users) throws SQLException, java.io.IOException {
        return provision(dataDir, users, Ring.THREAD_SIZE);
    }

    /** With threads of {@code threadSize} members: each user is then in {@code threadSize} threads. */
    static List<String> provision(Path dataDir, int users, int threadSize) throws SQLException, java.io.IOException {
        Files.createDirectories(dataDir);
        JdbcChatStore.embedded(dataDir).close(); // the schema, by the server's own migrations
        String url = "jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("presence") + ";DB_CLOSE_ON_EXIT=FALSE";
        try (Connection c = DriverManager.getConnection(url)) {
            return insert(c, users, threadSize);
        }
    }

    /**
     * The same rows into a database the server's migrations already made (PostgreSQL in cluster mode: the
     * connection's current schema).
     */
    static List<String> insert(Connection c, int users, int threadSize) throws SQLException {
        List<String> tokens = insertUsers(c, users);
        insertRingThreads(c, users, threadSize);
        c.commit();
        return tokens;
    }

    /** N users and their tokens, in no thread at all; returns the tokens. */
    static List<String> provisionUsersOnly(Path dataDir, int users) throws SQLException, java.io.IOException {
        Files.createDirectories(dataDir);
        JdbcChatStore.embedded(dataDir).close();
        String url = "jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("presence") + ";DB_CLOSE_ON_EXIT=FALSE";
        try (Connection c = DriverManager.getConnection(url)) {
            List<String> tokens = insertUsers(c, users);
            c.commit();
            return tokens;
        }
    }

    /**
     * N users in one thread ({@link Ring#threadId} 0) of all of them, as {@code storm2000} needs; returns
     * their tokens.
     */
    static List<String> provisionOneThread(Path dataDir, int users) throws SQLException, java.io.IOException {
        Files.createDirectories(dataDir);
        JdbcChatStore.embedded(dataDir).close();
        String url = "jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("presence") + ";DB_CLOSE_ON_EXIT=FALSE";
        try (Connection c = DriverManager.getConnection(url)) {
            List<String> tokens = insertUsers(c, users);
            long now = System.currentTimeMillis();
            try (PreparedStatement th = c.prepareStatement(
                    "INSERT INTO threads (id, title, created_by, created_at) VALUES (?, ?, ?, ?)");
                 PreparedStatement m = c.prepareStatement(
                         "INSERT INTO memberships (thread_id, user_id, joined_at) VALUES (?, ?, ?)")) {
                th.setString(1, Ring.threadId(0));
                th.setString(2, "bench thread of " + users);
                th.setString(3, Ring.userId(0));
                th.setLong(4, now);
                th.executeUpdate();
                for (int i = 0; i < users; i++) {
                    m.setString(1, Ring.threadId(0));
                    m.setString(2, Ring.userId(i));
                    m.setLong(3, now);
                    m.addBatch();
                }
                m.executeBatch();
            }
            c.commit();
            return tokens;
        }
    }

    private static List<String> insertUsers(Connection c, int users) throws SQLException {
        String password = Passwords.hash("bench-password"); // one bcrypt for everyone: bcrypt is slow on purpose
        SecureRandom random = new SecureRandom();
        Base64.Encoder encoder = Base64.getUrlEncoder().withoutPadding();
        List<String> tokens = new ArrayList<>(users);
        long now = System.currentTimeMillis();
        c.setAutoCommit(false);
        try (PreparedStatement u = c.prepareStatement("INSERT INTO users (id, username, password_hash,"
                + " display_name, created_at) VALUES (?, ?, ?, ?, ?)");
             PreparedStatement t = c.prepareStatement(
                     "INSERT INTO tokens (token_hash, user_id, created_at) VALUES (?, ?, ?)")) {
            for (int i = 0; i < users; i++) {
                u.setString(1, Ring.userId(i));
                u.setString(2, "bench" + i);
                u.setString(3, password);
                u.setString(4, "Bench User " + i);
                u.setLong(5, now);
                u.addBatch();
                byte[] secret = new byte[32];
                random.nextBytes(secret);
                String token = encoder.encodeToString(secret);
                tokens.add(token);
                t.setString(1, Tokens.hash(token));
                t.setString(2, Ring.userId(i));
                t.setLong(3, now);
                t.addBatch();
                if ((i + 1) % BATCH == 0) {
                    u.executeBatch();
                    t.executeBatch();
                }
            }
            u.executeBatch();
            t.executeBatch();
        }
        return tokens;
    }

    private static void insertRingThreads(Connection c, int users, int threadSize) throws SQLException {
        long now = System.currentTimeMillis();
        try (PreparedStatement th = c.prepareStatement(
                "INSERT INTO threads (id, title, created_by, created_at) VALUES (?, ?, ?, ?)");
             PreparedStatement m = c.prepareStatement(
                     "INSERT INTO memberships (thread_id, user_id, joined_at) VALUES (?, ?, ?)")) {
            for (int i = 0; i < users; i++) {
                th.setString(1, Ring.threadId(i));
                th.setString(2, "bench thread " + i);
                th.setString(3, Ring.userId(i));
                th.setLong(4, now);
                th.addBatch();
                for (int k = 0; k < threadSize; k++) {
                    m.setString(1, Ring.threadId(i));
                    m.setString(2, Ring.userId((i + k) % users));
                    m.setLong(3, now);
                    m.addBatch();
                }
                if ((i + 1) % BATCH == 0) {
                    th.executeBatch();
                    m.executeBatch();
                }
            }
            th.executeBatch();
            m.executeBatch();
        }
    }

    static void writeTokens(Path file, List<String> tokens) throws java.io.IOException {
        Files.write(file, tokens);
    }
}
