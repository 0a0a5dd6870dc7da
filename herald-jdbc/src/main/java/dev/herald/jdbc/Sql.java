package dev.herald.jdbc;

import java.sql.Connection;
import java.sql.SQLException;

/** Small JDBC helpers shared by the log and the cursors. Stateless. */
final class Sql {

    private Sql() {
    }

    /**
     * Whether the failure is about the data of a statement (SQLSTATE class 22 data exception, 23
     * integrity constraint, 54 program limit exceeded) rather than the database or the connection:
     * retrying the same rows one by one isolates the offending one.
     */
    static boolean isDataError(SQLException failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException sql) {
                int depth = 0;
                for (SQLException e = sql; e != null && depth < 16; e = e.getNextException(), depth++) {
                    String state = e.getSQLState();
                    if (state != null && (state.startsWith("22") || state.startsWith("23") || state.startsWith("54"))) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** Rolls back, recording a failure to do so on the original failure. */
    static void rollbackQuietly(Connection connection, Throwable failure) {
        try {
            connection.rollback();
        } catch (SQLException | RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    /** Restores auto-commit before the connection goes back to its pool; a broken one is discarded anyway. */
    static void autoCommitQuietly(Connection connection) {
        try {
            connection.setAutoCommit(true);
        } catch (SQLException | RuntimeException ignored) {
            // The connection is broken; the pool drops it.
        }
    }

    /** A short description of a failure for log lines and messages. */
    static String describe(Throwable failure) {
        String message = failure.getMessage();
        return failure.getClass().getSimpleName() + (message == null ? "" : ": " + message.strip());
    }
}
