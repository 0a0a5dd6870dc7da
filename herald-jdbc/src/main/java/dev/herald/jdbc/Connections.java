package dev.herald.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import java.util.concurrent.Executor;
import javax.sql.DataSource;

/**
 * Borrows a connection for one unit of work and gives it back. A connection that failed in a way
 * that says it is broken is thrown out of the pool, so the next unit of work gets a fresh one: a
 * pool would otherwise hand a dead connection out again if it was used moments ago (HikariCP skips
 * validation then), and a log that keeps appending would never recover.
 */
final class Connections {

    /** One unit of work on a borrowed connection. */
    @FunctionalInterface
    interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    private static final Executor SAME_THREAD = Runnable::run;

    private final DataSource dataSource;
    private final HikariDataSource hikari;

    Connections(DataSource dataSource) {
        this.dataSource = dataSource;
        this.hikari = hikari(dataSource);
    }

    DataSource dataSource() {
        return dataSource;
    }

    /** Runs the work on a connection of its own; any thread. */
    <T> T call(Work<T> work) throws SQLException {
        Connection connection = dataSource.getConnection();
        try {
            return work.run(connection);
        } catch (SQLException | RuntimeException e) {
            if (e instanceof SQLException sql && isBroken(sql)) {
                discard(connection, e);
            }
            throw e;
        } finally {
            try {
                connection.close();
            } catch (SQLException | RuntimeException ignored) {
                // Broken connections may fail to close; the pool drops them.
            }
        }
    }

    private void discard(Connection connection, Exception failure) {
        try {
            if (hikari != null && connection.getClass().getName().startsWith("com.zaxxer.hikari.")) {
                hikari.evictConnection(connection);
            } else {
                connection.abort(SAME_THREAD);
            }
        } catch (SQLException | RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    /** Whether the failure says the connection, rather than the statement, is the problem. */
    static boolean isBroken(SQLException failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLNonTransientConnectionException
                    || t instanceof SQLTransientConnectionException
                    || t instanceof SQLRecoverableException) {
                return true;
            }
            if (t instanceof SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith("08")) {
                return true;
            }
        }
        return false;
    }

    private static HikariDataSource hikari(DataSource dataSource) {
        try {
            return dataSource.isWrapperFor(HikariDataSource.class) ? dataSource.unwrap(HikariDataSource.class) : null;
        } catch (SQLException | RuntimeException e) {
            return null;
        }
    }
}
