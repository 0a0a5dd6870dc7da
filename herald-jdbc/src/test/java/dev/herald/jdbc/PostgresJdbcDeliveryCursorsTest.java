package dev.herald.jdbc;

import org.junit.jupiter.api.BeforeAll;

/** {@link JdbcDeliveryCursorsBehaviour} on PostgreSQL. */
class PostgresJdbcDeliveryCursorsTest extends JdbcDeliveryCursorsBehaviour {

    @BeforeAll
    static void server() {
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
