package dev.herald.bench.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.herald.core.EventLog;
import dev.herald.core.Publication;
import dev.herald.core.RetentionPolicy;
import dev.herald.jdbc.JdbcEventLog;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Durable publish throughput of {@code herald-jdbc}: N publisher threads append to a
 * {@link JdbcEventLog} for a fixed time, each append returning only once committed. On H2 (a file
 * in a temporary directory) and on a PostgreSQL server this benchmark starts itself from Debian's
 * binaries (default settings: {@code fsync} and {@code synchronous_commit} on), on loopback.
 *
 * <pre>herald-bench/bench --main dev.herald.bench.jdbc.PublishBench [--stores h2,postgres] [--publishers 1,8,64] [--duration 10s]</pre>
 */
public final class PublishBench {

    public static void main(String[] args) throws Exception {
        java.util.Map<String, String> options = dev.herald.bench.Bench.parse(args);
        List<String> stores = List.of(options.getOrDefault("stores", "h2,postgres").split(","));
        List<Integer> publishers = Stream.of(options.getOrDefault("publishers", "1,8,64").split(",")).map(Integer::parseInt).toList();
        Duration duration = dev.herald.bench.Bench.duration(options.getOrDefault("duration", "10s"));
        System.out.println("| store | publishers | durable publishes/s | append p50 | append p99 |");
        System.out.println("|---|---:|---:|---:|---:|");
        for (String store : stores) {
            for (int n : publishers) {
                try (Database database = store.equals("h2") ? Database.h2() : Database.postgres()) {
                    try (JdbcEventLog log = JdbcEventLog.builder(database.dataSource())
                            .retention(RetentionPolicy.of(10_000_000, Duration.ofDays(1))).build()) {
                        run(log, n, Duration.ofSeconds(3)); // warm-up
                        Result result = run(log, n, duration);
                        System.out.printf("| %s | %d | %.0f | %.2f ms | %.2f ms |%n", store, n, result.perSecond(),
                                result.latency().getValueAtPercentile(50) / 1000.0, result.latency().getValueAtPercentile(99) / 1000.0);
                    }
                }
            }
        }
    }

    record Result(double perSecond, Histogram latency) {
    }

    static Result run(EventLog log, int publishers, Duration duration) throws InterruptedException {
        AtomicLong appended = new AtomicLong();
        ConcurrentHistogram latency = new ConcurrentHistogram(3);
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < publishers; p++) {
            int publisher = p;
            threads.add(Thread.ofVirtual().start(() -> {
                for (long i = 0; System.nanoTime() < end; i++) {
                    long before = System.nanoTime();
                    log.append(Publication.to("bench/" + publisher).data("{\"publisher\":" + publisher + ",\"seq\":" + i + "}").build());
                    latency.recordValue((System.nanoTime() - before) / 1000);
                    appended.incrementAndGet();
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        return new Result(appended.get() / ((System.nanoTime() - start) / 1e9), latency);
    }

    /** A database for one measurement, removed afterwards. */
    interface Database extends AutoCloseable {
        HikariDataSource dataSource();

        @Override
        void close() throws IOException, InterruptedException;

        static Database h2() throws IOException {
            Path dir = Files.createTempDirectory("herald-bench-h2");
            HikariDataSource pool = JdbcEventLog.h2FileDataSource(dir);
            return new Database() {
                public HikariDataSource dataSource() {
                    return pool;
                }

                public void close() throws IOException {
                    pool.close();
                    delete(dir);
                }
            };
        }

        static Database postgres() throws IOException, InterruptedException {
            Path bin = postgresBinaries();
            Path dir = Files.createTempDirectory("herald-bench-pg");
            boolean root = ProcessHandle.current().info().user().map("root"::equals).orElse(false);
            if (root) {
                UserPrincipal postgres = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
                Files.setOwner(dir, postgres);
            }
            int port;
            try (ServerSocket socket = new ServerSocket(0)) {
                port = socket.getLocalPort();
            }
            Path data = dir.resolve("data");
            exec(root, bin.resolve("initdb").toString(), "-D", data.toString(), "-U", "herald", "-A", "trust", "-E", "UTF8", "--no-locale");
            exec(root, bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-w", "-l", dir.resolve("log").toString(), "-o",
                    "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c max_connections=200", "start");
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl("jdbc:postgresql://127.0.0.1:" + port + "/postgres?reWriteBatchedInserts=true");
            config.setUsername("herald");
            config.setMaximumPoolSize(8);
            HikariDataSource pool = new HikariDataSource(config);
            return new Database() {
                public HikariDataSource dataSource() {
                    return pool;
                }

                public void close() throws IOException, InterruptedException {
                    pool.close();
                    exec(root, bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "immediate", "-w", "stop");
                    delete(dir);
                }
            };
        }

        private static Path postgresBinaries() throws IOException {
            try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
                return versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("initdb")))
                        .max(Comparator.comparing(Path::toString))
                        .orElseThrow(() -> new IllegalStateException("PostgreSQL binaries not found: apt-get install postgresql"));
            }
        }

        private static void exec(boolean asPostgres, String... command) throws IOException, InterruptedException {
            List<String> line = new ArrayList<>();
            if (asPostgres) {
                line.addAll(List.of("runuser", "-u", "postgres", "--"));
            }
            line.addAll(List.of(command));
            Process process = new ProcessBuilder(line).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes());
            if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", line) + " failed:\n" + output);
            }
        }

        private static void delete(Path dir) throws IOException {
            try (Stream<Path> paths = Files.walk(dir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }
}
