package dev.herald.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.regex.Pattern;

/** Small JDBC helpers shared by the log and the cursors. Stateless. */
final class Sql {

    /** {@code password=...} and the like, in URLs, connection properties and driver messages. */
    private static final Pattern SECRET_SETTING = Pattern.compile(
            "(?i)\\b(password|passwd|pwd|secret|token|credentials?)(\\s*[=:]\\s*)[^;&\\s,)'\"]+");
    /** The {@code user:password@} of a URL. */
    private static final Pattern USER_INFO = Pattern.compile("(?i)(\\b[a-z][a-z0-9+.-]*://)[^/@\\s]*@");
    private static final int MAX_REPORTED = 500;

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

    /**
     * A timeout as {@link java.sql.Statement#setQueryTimeout} takes it: whole seconds, at least one
     * (zero would mean none).
     */
    static int queryTimeoutSeconds(Duration timeout) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toSeconds()));
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

    /**
     * A description of a failure fit to show outside the process (health endpoints): its class and
     * message, and those of its root cause when that says more (a pool's timeout hides why it
     * could not connect), with passwords and URL credentials masked, and shortened.
     */
    static String describeForHealth(Throwable failure) {
        Throwable root = failure;
        for (int depth = 0; root.getCause() != null && root.getCause() != root && depth < 16; depth++) {
            root = root.getCause();
        }
        String text = describe(failure);
        if (root != failure && root.getMessage() != null && !text.contains(root.getMessage().strip())) {
            text += " (caused by " + describe(root) + ")";
        }
        return redact(text);
    }

    /** Masks passwords, secrets and URL credentials in text meant for operators. */
    static String redact(String text) {
        String masked = USER_INFO.matcher(text).replaceAll("$1***@");
        masked = SECRET_SETTING.matcher(masked).replaceAll("$1$2***");
        return masked.length() <= MAX_REPORTED ? masked : masked.substring(0, MAX_REPORTED - 3) + "...";
    }
}
