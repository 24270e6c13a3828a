package dev.presence.server.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;

import java.nio.file.Path;
import java.sql.SQLException;

/**
 * An open chat database: the connection pool, migrated by Flyway to the current schema on opening, with the
 * durability settings of its kind, and for an embedded H2 file its {@link H2Housekeeping}. The stores run their
 * SQL through {@link #jdbc()}.
 */
final class JdbcDatabase implements AutoCloseable {

    private final HikariDataSource dataSource;
    /** For an H2 file database only. */
    private final H2Housekeeping housekeeping;
    private final Jdbc jdbc;

    private JdbcDatabase(HikariDataSource dataSource, H2Housekeeping housekeeping) {
        this.dataSource = dataSource;
        this.housekeeping = housekeeping;
        this.jdbc = new Jdbc(dataSource);
    }

    /**
     * Opens the embedded H2 database under {@code dataDir}, migrating it to the current schema.
     *
     * <p>{@code WRITE_DELAY=0}: every commit writes its changes to the file (MVStore stores a chunk) before the
     * JDBC commit returns, so an acknowledged write is in the operating system's hands and survives a crash of
     * this process. With H2's default (500 ms) a background thread wrote committed data up to a second later,
     * and a {@code kill -9} in between lost writes already answered with a 2xx. There is no fsync per commit
     * (a power loss may still lose the last seconds; PostgreSQL is the database for that), so the cost is a
     * {@code write(2)} per commit, not a disk flush; the bench README has the latency before and after. The
     * price is disk space: MVStore keeps replaced chunks for its retention time (45 s), so the file also holds
     * about 45 s of churn at the current write rate (measured in the bench README); and since this setting also
     * stops H2's background thread, {@link H2Housekeeping} does its rewriting of mostly empty chunks.
     *
     * <p>Rather than a checkpoint after each write (a group commit), the setting makes every commit durable,
     * including those of store methods added later, and it has no window: with the background thread on, a
     * checkpoint can find the changes already taken by that thread's asynchronous store and return before they
     * are written.
     */
    static JdbcDatabase embedded(Path dataDir) {
        Path file = dataDir.toAbsolutePath().resolve("presence");
        return open("jdbc:h2:file:" + file + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0", null);
    }

    /**
     * Opens a database by JDBC URL (PostgreSQL, or any H2 URL), migrating it to the current schema.
     *
     * @param schema where the tables are (created if missing), or null for the connection's default
     */
    static JdbcDatabase open(String jdbcUrl, String schema) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setPoolName("presence-db");
        config.setMaximumPoolSize(8);
        config.setMinimumIdle(1);
        config.setConnectionTimeout(10_000);
        if (schema != null) {
            config.setSchema(schema);
        }
        config.setAutoCommit(true);
        if (jdbcUrl.startsWith("jdbc:postgresql:")) {
            // a commit returns once its WAL is flushed, whatever the server's default says: a 2xx is durable
            config.setConnectionInitSql("SET synchronous_commit TO on");
        }
        HikariDataSource dataSource = new HikariDataSource(config);
        try {
            var flyway = Flyway.configure().dataSource(dataSource).locations("classpath:db/migration");
            if (schema != null) {
                flyway.schemas(schema).createSchemas(true);
            }
            flyway.load().migrate();
        } catch (RuntimeException e) {
            dataSource.close();
            throw e;
        }
        H2Housekeeping housekeeping = null;
        if (jdbcUrl.startsWith("jdbc:h2:file:") && jdbcUrl.contains("WRITE_DELAY=0")) {
            try {
                housekeeping = H2Housekeeping.start(dataSource);
            } catch (SQLException | RuntimeException e) {
                dataSource.close();
                throw new StoreException("could not start the H2 housekeeping", e);
            }
        }
        return new JdbcDatabase(dataSource, housekeeping);
    }

    /** Queries, updates and transactions on this database. */
    Jdbc jdbc() {
        return jdbc;
    }

    @Override
    public void close() {
        if (housekeeping != null) {
            housekeeping.close();
        }
        dataSource.close();
    }
}
