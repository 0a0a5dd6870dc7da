package dev.herald.jdbc;

import dev.herald.core.DeliveryCursors;
import dev.herald.core.testing.DeliveryCursorsContract;
import java.sql.SQLException;

/** The delivery cursors contract on a fresh in-memory H2 database per store. */
class H2DeliveryCursorsTest extends DeliveryCursorsContract {

    @Override
    protected DeliveryCursors createCursors() {
        TestDatabase database = H2Databases.inMemory();
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
