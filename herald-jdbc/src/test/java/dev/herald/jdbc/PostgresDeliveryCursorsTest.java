package dev.herald.jdbc;

import dev.herald.core.DeliveryCursors;
import dev.herald.core.testing.DeliveryCursorsContract;
import java.sql.SQLException;
import org.junit.jupiter.api.BeforeEach;

/** The delivery cursors contract on a fresh PostgreSQL database per store. */
class PostgresDeliveryCursorsTest extends DeliveryCursorsContract {

    /** Per test, so that without PostgreSQL each test shows as skipped, with the reason. */
    @BeforeEach
    void server() {
        PostgresServer.get();
    }

    @Override
    protected DeliveryCursors createCursors() {
        TestDatabase database = PostgresServer.get().freshDatabase();
        return JdbcDeliveryCursors.builder(database.dataSource()).closing(database).build();
    }

    @Override
    protected void flushed(DeliveryCursors cursors) {
        try {
            ((JdbcDeliveryCursors) cursors).flush();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
