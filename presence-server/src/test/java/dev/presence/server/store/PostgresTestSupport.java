package dev.presence.server.store;

import org.junit.jupiter.api.Assumptions;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/**
 * Where tests find PostgreSQL: 127.0.0.1:5432, database {@code test} (override with
 * {@code PRESENCE_TEST_PG_URL}). Tests that need it skip with a message where no server answers, except under
 * {@code CI=true}, where they fail instead.
 */
public final class PostgresTestSupport {

    public static final String URL = System.getenv().getOrDefault("PRESENCE_TEST_PG_URL",
            "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");

    private PostgresTestSupport() {
    }

    public static void requirePostgres() {
        try (Connection ignored = DriverManager.getConnection(URL)) {
            // it answers
        } catch (SQLException e) {
            if ("true".equals(System.getenv("CI"))) {
                throw new IllegalStateException("CI=true but PostgreSQL does not answer at " + URL, e);
            }
            Assumptions.abort("PostgreSQL does not answer at " + URL + " (" + e.getMessage()
                    + "): skipping the PostgreSQL tests");
        }
    }
}
