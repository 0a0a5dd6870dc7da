package dev.herald.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;

/** A database a test owns: its pool, and for some, a way to make the server go away and return. */
interface TestDatabase extends AutoCloseable {

    DataSource dataSource();

    /** Makes the database unreachable, as a crashed or partitioned server would be. */
    default void stopServer() {
        throw new UnsupportedOperationException();
    }

    /** Brings the database back after {@link #stopServer()}. */
    default void startServer() {
        throw new UnsupportedOperationException();
    }

    @Override
    void close();

    /** Runs a query that returns one number, for checking what is in the tables. */
    default long queryLong(String sql) {
        try (Connection connection = dataSource().getConnection();
             Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery(sql)) {
            row.next();
            return row.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    default void execute(String sql) {
        try (Connection connection = dataSource().getConnection();
             Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A small pool that gives up on an unreachable database after two seconds. */
    static HikariDataSource pool(String name, String url, String user) {
        HikariConfig config = new HikariConfig();
        config.setPoolName(name);
        config.setJdbcUrl(url);
        config.setUsername(user);
        config.setPassword("");
        config.setMaximumPoolSize(4);
        config.setMinimumIdle(1);
        config.setConnectionTimeout(2000);
        config.setValidationTimeout(1000);
        return new HikariDataSource(config);
    }
}
