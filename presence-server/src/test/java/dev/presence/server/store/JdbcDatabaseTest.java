package dev.presence.server.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The durability settings a database is opened with: an answered write is kept through a crash of the server. */
class JdbcDatabaseTest {

    @TempDir
    Path dataDir;

    @Test
    void theEmbeddedH2WritesEveryCommitToTheFileBeforeItReturns() {
        try (JdbcDatabase database = JdbcDatabase.embedded(dataDir)) {
            assertThat(database.jdbc().queryOne("SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS"
                    + " WHERE SETTING_NAME = 'WRITE_DELAY'", rs -> rs.getString(1))).contains("0");
        }
    }

    @Test
    void theEmbeddedH2IsMigratedAndKeepsItsDataWhenOpenedAgain() {
        String id;
        try (JdbcChatStore store = JdbcChatStore.embedded(dataDir)) {
            id = store.createUser("ann", "h", "Ann").id();
        }
        try (JdbcChatStore store = JdbcChatStore.embedded(dataDir)) {
            assertThat(store.findUser(id)).hasValueSatisfying(u -> assertThat(u.username()).isEqualTo("ann"));
        }
    }

    @Test
    void everyPostgresConnectionCommitsSynchronouslyWhateverTheServerSays() throws Exception {
        PostgresTestSupport.requirePostgres();
        String schema = "presence_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (JdbcDatabase database = JdbcDatabase.open(PostgresTestSupport.URL, schema)) {
            // "session": set by the pool on each connection, not inherited from the server's configuration
            assertThat(database.jdbc().queryOne("SELECT setting, source FROM pg_settings"
                    + " WHERE name = 'synchronous_commit'", rs -> List.of(rs.getString(1), rs.getString(2))))
                    .contains(List.of("on", "session"));
        } finally {
            try (Connection c = DriverManager.getConnection(PostgresTestSupport.URL);
                 Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            }
        }
    }
}
