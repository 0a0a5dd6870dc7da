package dev.herald.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.h2.tools.Server;

/** Fresh H2 databases for tests: in memory, or in files behind a TCP server that can be stopped. */
final class H2Databases {

    private static final AtomicInteger counter = new AtomicInteger();

    private H2Databases() {
    }

    /** A new, empty in-memory database; closing it drops it. */
    static TestDatabase inMemory() {
        String name = "herald-test-" + counter.incrementAndGet();
        HikariDataSource pool = TestDatabase.pool(name, "jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1", "sa");
        return new TestDatabase() {
            @Override
            public DataSource dataSource() {
                return pool;
            }

            @Override
            public void close() {
                try {
                    execute("SHUTDOWN");
                } catch (RuntimeException ignored) {
                    // already gone
                }
                pool.close();
            }
        };
    }

    /** A new file database in {@code dir}, reached through an H2 TCP server on a free loopback port. */
    static TestDatabase behindTcpServer(Path dir) {
        return new TcpDatabase(dir);
    }

    private static final class TcpDatabase implements TestDatabase {
        private final Path dir;
        private final int port;
        private final HikariDataSource pool;
        private Server server;

        TcpDatabase(Path dir) {
            this.dir = dir;
            this.port = freePort();
            startServer();
            this.pool = TestDatabase.pool("herald-test-tcp-" + counter.incrementAndGet(),
                    // Kept open while the server is down, as a database server process would be.
                    "jdbc:h2:tcp://127.0.0.1:" + port + "/herald;DB_CLOSE_DELAY=-1", "sa");
        }

        @Override
        public DataSource dataSource() {
            return pool;
        }

        @Override
        public synchronized void stopServer() {
            server.stop();
            server = null;
        }

        @Override
        public synchronized void startServer() {
            try {
                server = Server.createTcpServer("-tcpPort", String.valueOf(port), "-baseDir", dir.toString(), "-ifNotExists")
                        .start();
            } catch (SQLException e) {
                throw new IllegalStateException("could not start the H2 TCP server", e);
            }
        }

        @Override
        public synchronized void close() {
            if (server != null) {
                try {
                    execute("SHUTDOWN");
                } catch (RuntimeException ignored) {
                    // already gone
                }
            }
            pool.close();
            if (server != null) {
                server.stop();
            }
        }
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
