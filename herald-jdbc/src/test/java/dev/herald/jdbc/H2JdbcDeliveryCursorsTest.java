package dev.herald.jdbc;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** {@link JdbcDeliveryCursorsBehaviour} on H2. */
class H2JdbcDeliveryCursorsTest extends JdbcDeliveryCursorsBehaviour {

    @TempDir
    Path dir;

    @Override
    protected TestDatabase createDatabase() {
        return H2Databases.inMemory();
    }

    @Override
    protected TestDatabase createStoppableDatabase() {
        return H2Databases.behindTcpServer(dir);
    }
}
