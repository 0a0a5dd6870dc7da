package dev.herald.jdbc;

import org.junit.jupiter.api.BeforeEach;

/** {@link JdbcDeliveryCursorsBehaviour} on PostgreSQL. */
class PostgresJdbcDeliveryCursorsTest extends JdbcDeliveryCursorsBehaviour {

    /** Per test, so that without PostgreSQL each test shows as skipped, with the reason. */
    @BeforeEach
    void server() {
        PostgresServer.get();
    }

    @Override
    protected TestDatabase createDatabase() {
        return PostgresServer.get().freshDatabase();
    }

    @Override
    protected TestDatabase createStoppableDatabase() {
        return PostgresServer.get().freshDatabase();
    }
}
