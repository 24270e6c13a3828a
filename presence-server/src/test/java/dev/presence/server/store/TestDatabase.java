package dev.presence.server.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.InstantSource;
import java.util.UUID;

/**
 * A fresh, empty database for one test, for the contracts to open their stores on: H2 as the server embeds it (a
 * file under a test's temporary directory), or PostgreSQL in a schema of its own that {@link #close} drops (see
 * {@link PostgresTestSupport} for where it looks and when it skips).
 */
abstract class TestDatabase implements AutoCloseable {

    /** Opens the stores, migrating the database to the current schema. */
    abstract JdbcChatStore open(InstantSource clock, IdGenerator ids);

    /** Removes what {@link #open} made; after the store is closed. */
    @Override
    public void close() throws SQLException {
    }

    /** The embedded H2 database in {@code dataDir}, which the test removes. */
    static TestDatabase h2(Path dataDir) {
        return new TestDatabase() {
            @Override
            JdbcChatStore open(InstantSource clock, IdGenerator ids) {
                return JdbcChatStore.embedded(dataDir, clock, ids);
            }
        };
    }

    /** PostgreSQL, in a new schema; skips the test where no server answers (fails instead under CI=true). */
    static TestDatabase postgres() {
        PostgresTestSupport.requirePostgres();
        String schema = "presence_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        return new TestDatabase() {
            @Override
            JdbcChatStore open(InstantSource clock, IdGenerator ids) {
                return JdbcChatStore.open(PostgresTestSupport.URL, schema, clock, ids);
            }

            @Override
            public void close() throws SQLException {
                try (Connection c = DriverManager.getConnection(PostgresTestSupport.URL);
                     Statement s = c.createStatement()) {
                    s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
                }
            }
        };
    }
}
