package dev.herald.jdbc;

import static org.junit.jupiter.api.Assertions.fail;

import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.api.Assumptions;

/**
 * A real PostgreSQL server for the tests, started once per test JVM from the locally installed
 * binaries and removed by a shutdown hook.
 *
 * <p>What it needs: PostgreSQL 15 or newer installed (Debian: {@code apt-get install postgresql};
 * binaries are taken from {@code $HERALD_PG_BIN} if set, else the newest
 * {@code /usr/lib/postgresql/<version>/bin}, else the {@code PATH}). {@code initdb} refuses to run as root, so as root every server command
 * runs as the {@code postgres} user through {@code runuser}, in a temporary directory handed to
 * that user. The server listens on 127.0.0.1 on a free port, with its socket in the same directory,
 * and runs with {@code fsync=off} (the tests never crash the machine). Without binaries the
 * PostgreSQL tests are skipped, unless {@code CI=true}, where they fail.
 */
final class PostgresServer {

    private static final String DIR_PREFIX = "herald-pg-";
    private static final String USER = "herald";
    private static PostgresServer instance;

    private final Path bin;
    private final Path dir;
    private final boolean asPostgresUser;
    private final AtomicInteger databases = new AtomicInteger();
    private int port;

    private PostgresServer(Path bin, Path dir, boolean asPostgresUser) {
        this.bin = bin;
        this.dir = dir;
        this.asPostgresUser = asPostgresUser;
    }

    /** The shared server, started on first use; skips (or, on CI, fails) the calling tests without PostgreSQL. */
    static synchronized PostgresServer get() {
        if (instance == null) {
            Path bin = findBinaries();
            if (bin == null) {
                String message = "PostgreSQL 15+ binaries (initdb, pg_ctl) not found: install the postgresql package"
                        + " or set HERALD_PG_BIN; skipping the PostgreSQL tests";
                if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                    fail(message.replace("skipping", "CI requires"));
                }
                Assumptions.abort(message);
            }
            instance = start(bin);
            PostgresServer server = instance;
            Runtime.getRuntime().addShutdownHook(new Thread(server::destroy, "herald-test-postgres-cleanup"));
        }
        return instance;
    }

    /** A new, empty database on the server, and a pool on it. */
    TestDatabase freshDatabase() {
        String name = "herald_test_" + databases.incrementAndGet();
        try (Connection admin = DriverManager.getConnection(url("postgres"), USER, "");
             Statement statement = admin.createStatement()) {
            statement.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("could not create a test database", e);
        }
        HikariDataSource pool = TestDatabase.pool("herald-test-pg-" + name, url(name), USER);
        return new TestDatabase() {
            @Override
            public DataSource dataSource() {
                return pool;
            }

            @Override
            public void stopServer() {
                PostgresServer.this.stop();
            }

            @Override
            public void startServer() {
                PostgresServer.this.startAgain();
            }

            @Override
            public void close() {
                pool.close();
            }
        };
    }

    private String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    // ---- finding, starting and stopping the server ----

    private static Path findBinaries() {
        List<Path> candidates = new ArrayList<>();
        String env = System.getenv("HERALD_PG_BIN");
        if (env != null && !env.isBlank()) {
            // Set: that directory and nothing else.
            Path dir = Path.of(env);
            return Files.isExecutable(dir.resolve("initdb")) && Files.isExecutable(dir.resolve("pg_ctl")) ? dir : null;
        }
        Path debian = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(debian)) {
            try (Stream<Path> versions = Files.list(debian)) {
                versions.filter(v -> v.getFileName().toString().matches("\\d+") && Integer.parseInt(v.getFileName().toString()) >= 15)
                        .sorted(Comparator.comparing((Path v) -> Integer.parseInt(v.getFileName().toString())).reversed())
                        .forEach(v -> candidates.add(v.resolve("bin")));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        for (String entry : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!entry.isEmpty()) {
                candidates.add(Path.of(entry));
            }
        }
        return candidates.stream()
                .filter(dir -> Files.isExecutable(dir.resolve("initdb")) && Files.isExecutable(dir.resolve("pg_ctl")))
                .findFirst()
                .orElse(null);
    }

    private static PostgresServer start(Path bin) {
        boolean root = "0".equals(output("id", "-u").strip());
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        removeAbandoned(bin, tmp, root);
        try {
            Path dir = Files.createTempDirectory(tmp, DIR_PREFIX);
            Files.writeString(dir.resolve("owner.pid"), String.valueOf(ProcessHandle.current().pid()));
            if (root) {
                UserPrincipal postgres = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
                Files.setOwner(dir, postgres);
            }
            PostgresServer server = new PostgresServer(bin, dir, root);
            server.run(60, server.command("initdb", "-D", dir.resolve("data").toString(), "-U", USER, "-A", "trust",
                    "-E", "UTF8", "--no-locale", "--no-sync"));
            server.startAgain();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("could not prepare a PostgreSQL data directory", e);
        }
    }

    /** Starts the server (again), on a new free port the first time. */
    synchronized void startAgain() {
        int attempts = 0;
        while (true) {
            if (port == 0 || attempts > 0) {
                port = H2Databases.freePort();
            }
            try {
                run(90, command("pg_ctl", "-D", dir.resolve("data").toString(), "-l", dir.resolve("server.log").toString(),
                        "-w", "-t", "60", "-o", "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1"
                                + " -c fsync=off -c full_page_writes=off -c synchronous_commit=off -c max_connections=60",
                        "start"));
                return;
            } catch (IllegalStateException e) {
                if (++attempts >= 3) {
                    throw e;
                }
            }
        }
    }

    /** Stops the server, disconnecting every client. */
    synchronized void stop() {
        run(60, command("pg_ctl", "-D", dir.resolve("data").toString(), "-m", "fast", "-w", "stop"));
    }

    private void destroy() {
        try {
            run(30, command("pg_ctl", "-D", dir.resolve("data").toString(), "-m", "immediate", "-w", "stop"));
        } catch (RuntimeException ignored) {
            // not running
        }
        deleteRecursively(dir);
    }

    /** Stops and deletes servers left behind by test JVMs that were killed before their shutdown hook ran. */
    private static void removeAbandoned(Path bin, Path tmp, boolean root) {
        try (Stream<Path> entries = Files.list(tmp)) {
            for (Path dir : entries.filter(p -> p.getFileName().toString().startsWith(DIR_PREFIX)).toList()) {
                Path pidFile = dir.resolve("owner.pid");
                long pid;
                try {
                    pid = Long.parseLong(Files.readString(pidFile).strip());
                } catch (IOException | NumberFormatException e) {
                    continue;
                }
                if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                    continue;
                }
                PostgresServer abandoned = new PostgresServer(bin, dir, root);
                abandoned.destroy();
            }
        } catch (IOException | RuntimeException e) {
            // Best effort only.
        }
    }

    private List<String> command(String program, String... args) {
        List<String> command = new ArrayList<>();
        if (asPostgresUser) {
            command.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        command.add(bin.resolve(program).toString());
        command.addAll(List.of(args));
        return command;
    }

    private void run(int timeoutSeconds, List<String> command) {
        try {
            Path log = Files.createTempFile("herald-pg-command", ".log");
            try {
                Process process = new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                        .directory(dir.toFile())
                        .start();
                if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new IllegalStateException("timed out: " + command);
                }
                if (process.exitValue() != 0) {
                    String serverLog = "";
                    Path server = dir.resolve("server.log");
                    if (Files.isReadable(server)) {
                        serverLog = "\nserver log:\n" + Files.readString(server);
                    }
                    throw new IllegalStateException("failed (" + process.exitValue() + "): " + command + "\n"
                            + Files.readString(log) + serverLog);
                }
            } finally {
                Files.deleteIfExists(log);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + command, e);
        }
    }

    private static String output(String... command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            process.waitFor(10, TimeUnit.SECONDS);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException | UncheckedIOException e) {
            // Best effort.
        }
    }
}
