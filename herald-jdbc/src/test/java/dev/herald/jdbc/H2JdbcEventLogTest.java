package dev.herald.jdbc;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** {@link JdbcEventLogBehaviour} on H2: in memory, or a file database behind a TCP server for outages. */
class H2JdbcEventLogTest extends JdbcEventLogBehaviour {

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
