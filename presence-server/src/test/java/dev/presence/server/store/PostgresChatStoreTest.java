package dev.presence.server.store;

import org.junit.jupiter.api.AfterEach;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.UUID;

/**
 * The store contract on PostgreSQL at 127.0.0.1:5432, database {@code test}, each run in a schema of its own.
 * See {@link PostgresTestSupport} for where it looks and when it skips.
 */
class PostgresChatStoreTest extends ChatStoreContract {

    private static final String URL = PostgresTestSupport.URL;

    private String schema;

    @Override
    protected ChatStore newStore() {
        PostgresTestSupport.requirePostgres();
        schema = "presence_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        return JdbcChatStore.open(URL, schema);
    }

    @AfterEach
    void dropSchema() throws SQLException {
        if (schema != null) {
            try (Connection c = DriverManager.getConnection(URL)) {
                c.createStatement().execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            }
        }
    }
}
