package dev.presence.server.store;

/** The database failed; the message is for logs, never for clients. */
public final class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Whether the database refused a value (SQLSTATE class 22, "data exception"), not failed. */
    public boolean isBadData() {
        for (Throwable t = getCause(); t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLException sql && sql.getSQLState() != null
                    && sql.getSQLState().startsWith("22")) {
                return true;
            }
        }
        return false;
    }
}
