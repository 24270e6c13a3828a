package dev.presence.server.store;

import org.junit.jupiter.api.AfterEach;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.UUID;

/** The password and token contract on PostgreSQL (see {@link PostgresTestSupport}), in a schema of its own. */
class PostgresAccountStoreTest extends AccountStoreContract {

    private String schema;

    @Override
    protected ChatStore newStore() {
        PostgresTestSupport.requirePostgres();
        schema = "presence_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        return JdbcChatStore.open(PostgresTestSupport.URL, schema);
    }

    @AfterEach
    void dropSchema() throws SQLException {
        if (schema != null) {
            try (Connection c = DriverManager.getConnection(PostgresTestSupport.URL)) {
                c.createStatement().execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            }
        }
    }
}
