package dev.presence.server.store;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The little of JDBC the stores need: queries, updates and transactions over a pooled {@link DataSource}, each on
 * a connection of its own that goes back to the pool at once. Every {@link SQLException} leaves as a
 * {@link StoreException}. It does not own the data source; whoever opened it closes it.
 */
final class Jdbc {

    /** Makes one value of the current row. */
    @FunctionalInterface
    interface RowMapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    /** Does something with the current row. */
    @FunctionalInterface
    interface RowAction {
        void accept(ResultSet rs) throws SQLException;
    }

    /** The statements of one transaction. */
    @FunctionalInterface
    interface Work<T> {
        T run(Transaction tx) throws SQLException;
    }

    /** Rows read per round trip where a driver streams (a whole table at start-up, say). */
    private static final int FETCH_SIZE = 1000;

    private final DataSource dataSource;

    Jdbc(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** All rows, mapped. */
    <T> List<T> query(String sql, RowMapper<T> mapper, Object... params) {
        List<T> rows = new ArrayList<>();
        forEach(sql, rs -> rows.add(mapper.map(rs)), params);
        return rows;
    }

    /** The first row, mapped; empty if there is none. */
    <T> Optional<T> queryOne(String sql, RowMapper<T> mapper, Object... params) {
        try (Connection c = dataSource.getConnection()) {
            return new Transaction(c).queryOne(sql, mapper, params);
        } catch (SQLException e) {
            throw failure(sql, e);
        }
    }

    /** Hands each row to {@code action}, without collecting them. */
    void forEach(String sql, RowAction action, Object... params) {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            bind(s, params);
            s.setFetchSize(FETCH_SIZE);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    action.accept(rs);
                }
            }
        } catch (SQLException e) {
            throw failure(sql, e);
        }
    }

    /** Runs one statement in a transaction of its own; returns how many rows it changed. */
    int update(String sql, Object... params) {
        try (Connection c = dataSource.getConnection()) {
            return new Transaction(c).update(sql, params);
        } catch (SQLException e) {
            throw failure(sql, e);
        }
    }

    /**
     * Runs {@code work} in one transaction: committed if it returns, rolled back if it throws.
     *
     * @param what what the work does, for the message of a failure
     */
    <T> T inTransaction(String what, Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(new Transaction(c));
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true); // the pool hands the connection out again as it was configured
            }
        } catch (SQLException e) {
            throw failure(what, e);
        }
    }

    /** Whether a failure was a unique constraint refusing a duplicate (SQLSTATE 23505, in H2 and PostgreSQL). */
    static boolean isUniqueViolation(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && "23505".equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    private static StoreException failure(String what, SQLException e) {
        return new StoreException("database failed: " + what, e);
    }

    private static void bind(PreparedStatement s, Object... params) throws SQLException {
        for (int i = 0; i < params.length; i++) {
            s.setObject(i + 1, params[i]);
        }
    }

    /** Statements on the one connection of a transaction. */
    static final class Transaction {

        private final Connection connection;

        private Transaction(Connection connection) {
            this.connection = connection;
        }

        /** All rows, mapped. */
        <T> List<T> query(String sql, RowMapper<T> mapper, Object... params) throws SQLException {
            try (PreparedStatement s = connection.prepareStatement(sql)) {
                bind(s, params);
                List<T> rows = new ArrayList<>();
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        rows.add(mapper.map(rs));
                    }
                }
                return rows;
            }
        }

        /** The first row, mapped; empty if there is none. */
        <T> Optional<T> queryOne(String sql, RowMapper<T> mapper, Object... params) throws SQLException {
            try (PreparedStatement s = connection.prepareStatement(sql)) {
                bind(s, params);
                try (ResultSet rs = s.executeQuery()) {
                    return rs.next() ? Optional.of(mapper.map(rs)) : Optional.empty();
                }
            }
        }

        /** Runs a statement; returns how many rows it changed. */
        int update(String sql, Object... params) throws SQLException {
            try (PreparedStatement s = connection.prepareStatement(sql)) {
                bind(s, params);
                return s.executeUpdate();
            }
        }

        /** Runs one statement once per entry of {@code rows} (its parameters), sent as one JDBC batch. */
        void batch(String sql, List<Object[]> rows) throws SQLException {
            try (PreparedStatement s = connection.prepareStatement(sql)) {
                for (Object[] params : rows) {
                    bind(s, params);
                    s.addBatch();
                }
                s.executeBatch();
            }
        }
    }
}
