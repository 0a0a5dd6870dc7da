package dev.herald.jdbc;

import static dev.herald.jdbc.Settings.atLeast;
import static dev.herald.jdbc.Settings.positive;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.herald.core.Event;
import dev.herald.core.EventLog;
import dev.herald.core.EventLogException;
import dev.herald.core.LogHealth;
import dev.herald.core.LogPage;
import dev.herald.core.MetricsRecorder;
import dev.herald.core.Publication;
import dev.herald.core.RetentionPolicy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link EventLog} in a relational database (H2 or PostgreSQL 15+) through plain JDBC: events
 * survive restarts, and so do their ids and the horizon.
 *
 * <p>Build one with {@link #builder(DataSource)}, or {@link #h2File(Path, RetentionPolicy)} for an
 * embedded database in a directory. The schema is created and migrated with Flyway when the log is
 * built. One log appends to a database at a time: a log that starts takes over, and an older log
 * still running on the same database then refuses appends.
 *
 * <p><b>Ordering.</b> Appends are written by one thread, {@code herald-jdbc-committer}, that groups
 * whatever publishers queued into one transaction, gives ids itself (continuing from the highest
 * stored id) and commits before answering them, so concurrent publishers share a commit. Reads
 * never return an id above the last committed one, and batches commit in id order, so whatever a
 * reader sees after a position, it sees without gaps: no id can commit later below one it read.
 *
 * <p><b>Reads.</b> The newest events (4096 by default) are also kept in memory, so the hub's
 * dispatcher, which reads after its position on every publish, does not query the database. Older
 * reads run {@code WHERE id > ? ORDER BY id} on the primary key. A connection is borrowed from the
 * data source for one statement or one transaction at a time, never across calls.
 *
 * <p><b>Retention</b> applies at read time (a read never returns what the policy dropped) and rows
 * are deleted in the background on {@code herald-jdbc-retention}, in small id ranges. The highest
 * purged id is stored, so the horizon survives restarts.
 *
 * <p><b>Failures.</b> If the database is unreachable, {@link #append} and any {@link #readAfter}
 * that needs the database throw {@link EventLogException}; the log works again as soon as the
 * database does, without a restart. {@link #health()} tells readiness probes whether it answers.
 *
 * <p>Thread-safe. {@link #close()} stops its threads and closes only a data source it created.
 */
public final class JdbcEventLog implements EventLog {

    private static final Logger log = LoggerFactory.getLogger(JdbcEventLog.class);
    /** Re-reads after a purge removed rows mid-read are this many at most; see {@link #readAfter}. */
    private static final int READ_ATTEMPTS = 5;

    private final Connections connections;
    private final AutoCloseable ownedDataSource;
    private final LogState state;
    private final Committer committer;
    private final Retention retention;
    private final int queryTimeoutSeconds;
    private final Duration closeTimeout;
    private final MetricsRecorder recorder;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** The database's product name, once a connection told it. */
    private volatile String databaseProduct;
    /** The connection check {@link #health()} runs or last ran: one at a time, shared by concurrent callers. */
    private final AtomicReference<CompletableFuture<String>> healthCheck = new AtomicReference<>();

    private JdbcEventLog(Builder builder) {
        this.connections = new Connections(builder.dataSource);
        this.ownedDataSource = builder.owned;
        this.queryTimeoutSeconds = Sql.queryTimeoutSeconds(builder.queryTimeout);
        this.closeTimeout = builder.closeTimeout;
        this.recorder = builder.recorder;
        if (builder.migrate) {
            Schema.migrate(builder.dataSource, "the event log's tables");
        }
        Start start;
        try {
            start = connections.call(connection -> {
                rememberProduct(connection);
                return start(connection, builder);
            });
        } catch (SQLException e) {
            throw new EventLogException("could not open the event log: " + Sql.describe(e), e);
        }
        RecentEvents recent = new RecentEvents(builder.recentEvents,
                start.recent.isEmpty() ? start.last : start.recent.getFirst().id() - 1);
        recent.publish(start.recent, start.last);
        this.state = new LogState(recent, builder.retention, builder.clock, start.horizon);
        this.committer = new Committer(connections, state, builder.clock, builder.maxBatchSize, builder.queueCapacity,
                builder.enqueueTimeout, queryTimeoutSeconds, start.epoch);
        this.retention = new Retention(connections, state, builder.retention, builder.clock, builder.purgeInterval,
                builder.purgeChunk, queryTimeoutSeconds);
        committer.start();
        retention.start();
        log.debug("Event log opened: last id {}, horizon {}, writer epoch {}", start.last, start.horizon, start.epoch);
    }

    /**
     * Starts building a log on a data source that the caller keeps ownership of (the log never
     * closes it). Called once at application start-up, on any thread.
     */
    public static Builder builder(DataSource dataSource) {
        return new Builder(dataSource);
    }

    /**
     * A log in an embedded H2 database in {@code dataDir} (created if missing), on a pool the log
     * owns and closes. Called once at start-up, on any thread. Needs {@code com.h2database:h2}.
     *
     * @see #h2FileDataSource(Path)
     */
    public static JdbcEventLog h2File(Path dataDir, RetentionPolicy retention) {
        HikariDataSource dataSource = h2FileDataSource(dataDir);
        try {
            return builder(dataSource).retention(retention).closing(dataSource).build();
        } catch (RuntimeException e) {
            dataSource.close();
            throw e;
        }
    }

    /**
     * A small HikariCP pool on the embedded H2 database {@code herald} in {@code dataDir}, for
     * callers that want to share it (with {@link JdbcDeliveryCursors}, say); the caller closes it.
     * Called at start-up, on any thread.
     *
     * <p>Settings: {@code WRITE_DELAY=0} writes every commit to the file before it returns, so an
     * acknowledged append survives the process being killed ({@code kill -9}); H2 does not force
     * the file to the disk on each commit, so an operating-system crash or power loss can lose the
     * last appends (use PostgreSQL where that matters). {@code DB_CLOSE_ON_EXIT=FALSE} leaves
     * closing to the application, so that a shutdown hook does not close the database under
     * appends that are still being written. H2 locks the files: one process at a time.
     */
    public static HikariDataSource h2FileDataSource(Path dataDir) {
        try {
            Class.forName("org.h2.Driver", false, JdbcEventLog.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("JdbcEventLog.h2File needs the H2 driver (com.h2database:h2) on the class path", e);
        }
        Path file = dataDir.toAbsolutePath().resolve("herald");
        HikariConfig config = new HikariConfig();
        config.setPoolName("herald-jdbc-h2");
        config.setJdbcUrl("jdbc:h2:file:" + file + ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE");
        config.setUsername("sa");
        config.setPassword("");
        config.setMaximumPoolSize(8);
        config.setMinimumIdle(1);
        config.setConnectionTimeout(10_000);
        return new HikariDataSource(config);
    }

    /**
     * Stores the event in the next committed batch and returns once it is committed (durable as
     * far as the database makes commits durable). Called by publisher threads, concurrently; blocks
     * for one commit, typically.
     *
     * <p>If the publication has a key that a retained event already has, returns that event and
     * stores nothing, also when the two are in the same batch.
     *
     * @throws EventLogException if the log is closed, too many appends are queued, or the
     *                           database failed; nothing was stored, except when the failure was
     *                           in the commit itself, which the message then says
     */
    @Override
    public Event append(Publication publication) {
        Objects.requireNonNull(publication, "publication");
        long start = System.nanoTime();
        Event event = committer.append(publication);
        recorder.commitLatency(System.nanoTime() - start);
        return event;
    }

    /**
     * Like {@link #append}, without blocking the caller (for event loops): queues the publication
     * and returns a future that the committer completes once the batch is committed, or fails with
     * an {@link EventLogException}. When the queue is full it fails at once instead of waiting.
     */
    @Override
    public java.util.concurrent.CompletableFuture<Event> appendAsync(Publication publication) {
        Objects.requireNonNull(publication, "publication");
        long start = System.nanoTime();
        java.util.concurrent.CompletableFuture<Event> stored = committer.appendAsync(publication);
        if (recorder != MetricsRecorder.NONE) {
            stored.thenRun(() -> recorder.commitLatency(System.nanoTime() - start));
        }
        return stored;
    }

    /**
     * Reads up to {@code limit} committed events after {@code afterId}, with the horizon and last
     * id. Called by the hub's dispatcher and connection writers, concurrently; served from memory
     * when the events are recent, otherwise by one query.
     *
     * <p>A page shorter than the limit means the reader has caught up with what was committed when
     * the read began.
     *
     * @throws EventLogException if the read needs the database and it failed
     */
    @Override
    public LogPage readAfter(long afterId, int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative");
        }
        for (int attempt = 1; ; attempt++) {
            long last = state.lastCommitted();
            long horizon = state.horizon();
            long after = Math.max(afterId, horizon);
            if (limit == 0 || after >= last) {
                return new LogPage(List.of(), horizon, Math.max(last, horizon));
            }
            List<Event> events = state.recent.after(after, last, limit);
            if (events == null) {
                events = query(after, last, limit);
            }
            // Ids up to last are contiguous, so a full answer is exactly after+1, after+2, ...
            long expected = Math.min(limit, last - after);
            if (events.size() == expected && (events.isEmpty() || events.getLast().id() == after + expected)) {
                return new LogPage(events, horizon, last);
            }
            // Rows went missing: retention purged them while this read ran (it raises the horizon
            // before deleting). Read again from the new horizon, so a short page still means
            // "caught up".
            long raised = state.horizon();
            if (raised > horizon && attempt < READ_ATTEMPTS) {
                continue;
            }
            List<Event> kept = events.stream().filter(event -> event.id() > raised).toList();
            return new LogPage(kept, raised, Math.max(last, raised));
        }
    }

    /**
     * The id of the retained, committed event with this publisher key: one query on the unique
     * index of {@code publisher_key}. A row at or below the horizon is no longer retained (the
     * purge deletes it, or the next append with the key does), and one above the committed
     * position is still being committed, whose publisher has not been answered yet; neither
     * counts. Called on any thread; blocks for one query.
     *
     * @throws EventLogException if the database failed
     */
    @Override
    public OptionalLong idOfKey(String key) {
        Objects.requireNonNull(key, "key");
        long id;
        try {
            id = connections.call(connection -> {
                try (PreparedStatement select = connection.prepareStatement(
                        "SELECT id FROM herald_events WHERE publisher_key = ?")) {
                    select.setQueryTimeout(queryTimeoutSeconds);
                    select.setString(1, key);
                    try (ResultSet row = select.executeQuery()) {
                        return row.next() ? row.getLong(1) : -1L;
                    }
                }
            });
        } catch (SQLException e) {
            throw new EventLogException("could not read the event log: " + Sql.describe(e), e);
        }
        // Read after the query: the horizon only rises, and an append is answered only once the
        // committed position covers it.
        if (id < 0 || id <= state.horizon() || id > state.lastCommitted()) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(id);
    }

    private List<Event> query(long after, long through, int limit) {
        try {
            return connections.call(connection -> {
                try (PreparedStatement select = connection.prepareStatement(EventRows.READ_RANGE)) {
                    select.setQueryTimeout(queryTimeoutSeconds);
                    select.setLong(1, after);
                    select.setLong(2, through);
                    select.setInt(3, limit);
                    try (ResultSet rows = select.executeQuery()) {
                        return EventRows.readAll(rows);
                    }
                }
            });
        } catch (SQLException e) {
            throw new EventLogException("could not read the event log: " + Sql.describe(e), e);
        }
    }

    /**
     * Whether the database answers: borrows a connection and checks it with
     * {@link Connection#isValid}, within the query timeout. Called by readiness probes and health
     * endpoints every few seconds, on any thread; never throws, and returns within the query
     * timeout even when the pool or the database hangs (the check then goes on in the background,
     * and a later call waits for that check rather than starting another).
     *
     * <p>Details, in order: {@code store} ("jdbc"), {@code database} (the product name, once
     * known), {@code lastCommittedId}, {@code pendingCommits} (appends accepted but not committed
     * yet) and {@code oldestPendingMs} (how long the oldest of them has waited, 0 if none); when
     * unreachable, also {@code error}: the failure's class and message, with credentials masked.
     */
    @Override
    public LogHealth health() {
        String error;
        try {
            error = closed.get() ? "the event log is closed" : awaitCheck(connectionCheck());
        } catch (RuntimeException e) {
            error = Sql.describeForHealth(e);
        }
        Map<String, Object> details = healthDetails();
        return error == null ? LogHealth.reachable(details) : LogHealth.unreachable(error, details);
    }

    private Map<String, Object> healthDetails() {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("store", "jdbc");
        String product = databaseProduct;
        if (product != null) {
            details.put("database", product);
        }
        details.put("lastCommittedId", state.lastCommitted());
        details.put("pendingCommits", committer.pending());
        details.put("oldestPendingMs", TimeUnit.NANOSECONDS.toMillis(committer.oldestPendingNanos()));
        return details;
    }

    /** The running check, or a new one on a thread of its own if none runs. */
    private CompletableFuture<String> connectionCheck() {
        while (true) {
            CompletableFuture<String> current = healthCheck.get();
            if (current != null && !current.isDone()) {
                return current;
            }
            CompletableFuture<String> check = new CompletableFuture<>();
            if (healthCheck.compareAndSet(current, check)) {
                try {
                    Thread.ofPlatform().name("herald-jdbc-health").daemon(true).start(() -> check.complete(checkConnection()));
                } catch (RuntimeException | Error e) {
                    check.complete(Sql.describeForHealth(e));
                }
                return check;
            }
        }
    }

    /**
     * Null if the database answered, else what went wrong. Blocks; on the check's own thread. A
     * pooled connection that turns out dead (the database restarted since it was last used) is
     * dropped and the check tried once more on a fresh one, so a database that is back is not
     * reported down because of the pool's old connections.
     */
    private String checkConnection() {
        for (int attempt = 1; ; attempt++) {
            boolean[] borrowed = {false};
            try {
                connections.call(connection -> {
                    borrowed[0] = true;
                    if (!connection.isValid(queryTimeoutSeconds)) {
                        // Thrown as a connection failure, so that the pool drops this connection.
                        throw new SQLTransientConnectionException("a connection to the database failed its validity check"
                                + " (no answer, or a broken connection, within " + queryTimeoutSeconds + " s)");
                    }
                    rememberProduct(connection);
                    return null;
                });
                return null;
            } catch (SQLException e) {
                if (attempt == 1 && borrowed[0] && Connections.isBroken(e) && !closed.get()) {
                    continue;
                }
                return Sql.describeForHealth(e);
            } catch (RuntimeException e) {
                return Sql.describeForHealth(e);
            }
        }
    }

    private String awaitCheck(CompletableFuture<String> check) {
        try {
            return check.get(queryTimeoutSeconds, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            return "the database did not answer within " + queryTimeoutSeconds + " s";
        } catch (ExecutionException e) {
            return Sql.describeForHealth(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while checking the database";
        }
    }

    private void rememberProduct(Connection connection) {
        if (databaseProduct == null) {
            try {
                databaseProduct = connection.getMetaData().getDatabaseProductName();
            } catch (SQLException | RuntimeException e) {
                log.debug("Could not read the database's product name: {}", Sql.describe(e));
            }
        }
    }

    /**
     * Stops accepting appends, writes what is already queued (for up to the close timeout, then
     * fails the rest), stops the committer and retention threads, and closes the data source only
     * if the log created it. Called once at shutdown, on any thread; safe to call twice.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        committer.stop(closeTimeout);
        retention.stop(closeTimeout);
        if (ownedDataSource != null) {
            try {
                ownedDataSource.close();
            } catch (Exception e) {
                log.warn("Could not close the event log's data source: {}", Sql.describe(e));
            }
        }
    }

    // ---- for tests in this package ----

    /** Transactions the committer committed so far. */
    long committedTransactions() {
        return committer.transactions();
    }

    /** Appends waiting in the queue. */
    int queuedAppends() {
        return committer.queued();
    }

    /** Holds the committer before its next batch, so queued appends pile up into one. */
    void holdCommits() {
        committer.hold();
    }

    void releaseCommits() {
        committer.release();
    }

    /** Runs one retention purge now, on the caller's thread. */
    void purgeNow() throws SQLException {
        retention.purge();
    }

    long persistedHorizon() {
        return state.persistedHorizon();
    }

    List<Thread> threads() {
        Thread purger = retention.thread();
        return purger == null ? List.of(committer.thread()) : List.of(committer.thread(), purger);
    }

    // ---- start-up ----

    private record Start(long horizon, long last, long epoch, List<Event> recent) {
    }

    /**
     * In one transaction: gives a brand-new log its first horizon, takes over as the writer, and
     * reads the stored bounds; then loads the newest events into the cache.
     */
    private static Start start(Connection connection, Builder builder) throws SQLException {
        connection.setAutoCommit(false);
        long horizon;
        long epoch;
        long stored;
        try {
            // Like the in-memory log, a new log starts its ids at its creation time in
            // microseconds: a client holding an id from an earlier, lost log then finds it
            // below this log's horizon instead of resuming at the wrong place.
            long initial = Math.max(1, Math.multiplyExact(builder.clock.millis(), 1000L)) - 1;
            try (PreparedStatement init = connection.prepareStatement(
                    "UPDATE herald_log_state SET horizon = ? WHERE id = 1 AND horizon < 0")) {
                init.setLong(1, initial);
                init.executeUpdate();
            }
            try (PreparedStatement takeOver = connection.prepareStatement(
                    "UPDATE herald_log_state SET writer_epoch = writer_epoch + 1 WHERE id = 1")) {
                if (takeOver.executeUpdate() != 1) {
                    throw new SQLException("herald_log_state has no row; the schema was changed by hand");
                }
            }
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT horizon, writer_epoch FROM herald_log_state WHERE id = 1");
                 ResultSet row = select.executeQuery()) {
                row.next();
                horizon = row.getLong(1);
                epoch = row.getLong(2);
            }
            try (PreparedStatement max = connection.prepareStatement("SELECT MAX(id) FROM herald_events");
                 ResultSet row = max.executeQuery()) {
                row.next();
                stored = row.getLong(1);
            }
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            Sql.rollbackQuietly(connection, e);
            throw e;
        } finally {
            Sql.autoCommitQuietly(connection);
        }
        long last = Math.max(horizon, stored);
        List<Event> recent = List.of();
        long from = Math.max(horizon, last - builder.recentEvents);
        if (builder.recentEvents > 0 && from < last) {
            try (PreparedStatement select = connection.prepareStatement(EventRows.READ_RANGE)) {
                select.setLong(1, from);
                select.setLong(2, last);
                select.setInt(3, builder.recentEvents);
                try (ResultSet rows = select.executeQuery()) {
                    recent = EventRows.readAll(rows);
                }
            }
            if (!recent.isEmpty() && (recent.getFirst().id() != from + 1 || recent.getLast().id() != last)) {
                recent = List.of(); // not contiguous (edited by hand?): serve those reads from the database
            }
        }
        return new Start(horizon, last, epoch, recent);
    }

    /**
     * Configures a {@link JdbcEventLog}. Used once at start-up, on one thread; not thread-safe.
     * Every setting has a default.
     */
    public static final class Builder {
        private final DataSource dataSource;
        private AutoCloseable owned;
        private RetentionPolicy retention = RetentionPolicy.defaults();
        private InstantSource clock = InstantSource.system();
        private int recentEvents = 4096;
        private int maxBatchSize = 500;
        private int queueCapacity = 10_000;
        private Duration enqueueTimeout = Duration.ofSeconds(10);
        private Duration purgeInterval = Duration.ofSeconds(1);
        private int purgeChunk = 1000;
        private Duration queryTimeout = Duration.ofSeconds(30);
        private Duration closeTimeout = Duration.ofSeconds(10);
        private boolean migrate = true;
        private MetricsRecorder recorder = MetricsRecorder.NONE;

        private Builder(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        }

        /** How much history to keep; {@link RetentionPolicy#defaults()} by default. */
        public Builder retention(RetentionPolicy value) {
            retention = Objects.requireNonNull(value, "retention");
            return this;
        }

        /** The clock that stamps events and ages them; the system clock by default. */
        public Builder clock(InstantSource value) {
            clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /** How many of the newest events to keep in memory for reads (4096; 0 reads everything from the database). */
        public Builder recentEvents(int value) {
            recentEvents = atLeast(0, value, "recentEvents");
            return this;
        }

        /** The most appends committed in one transaction (500). */
        public Builder maxBatchSize(int value) {
            maxBatchSize = atLeast(1, value, "maxBatchSize");
            return this;
        }

        /** The most appends waiting for the committer (10,000); beyond it, appends wait, then fail. */
        public Builder queueCapacity(int value) {
            queueCapacity = atLeast(1, value, "queueCapacity");
            return this;
        }

        /** How long an append waits for room in a full queue before failing (10 s). */
        public Builder enqueueTimeout(Duration value) {
            enqueueTimeout = positive(value, "enqueueTimeout");
            return this;
        }

        /** How often the background purge runs (1 s). */
        public Builder purgeInterval(Duration value) {
            purgeInterval = positive(value, "purgeInterval");
            return this;
        }

        /** How many ids one purge transaction deletes at most (1000). */
        public Builder purgeChunk(int value) {
            purgeChunk = atLeast(1, value, "purgeChunk");
            return this;
        }

        /** The JDBC query timeout of every statement, in whole seconds (30 s). */
        public Builder queryTimeout(Duration value) {
            queryTimeout = positive(value, "queryTimeout");
            return this;
        }

        /** How long {@link JdbcEventLog#close()} waits for queued appends and the purge (10 s). */
        public Builder closeTimeout(Duration value) {
            closeTimeout = positive(value, "closeTimeout");
            return this;
        }

        /** Whether to create and migrate the tables with Flyway when building (true). */
        public Builder migrate(boolean value) {
            migrate = value;
            return this;
        }

        /**
         * Where the log reports how long each append waited for its commit
         * ({@link MetricsRecorder#commitLatency}); nowhere by default.
         */
        public Builder recorder(MetricsRecorder value) {
            recorder = Objects.requireNonNull(value, "recorder");
            return this;
        }

        /** Closes this resource (the log's own pool) when the log closes. */
        Builder closing(AutoCloseable resource) {
            owned = resource;
            return this;
        }

        /**
         * Migrates the schema, reads the stored bounds, and starts the log's threads.
         *
         * @throws EventLogException if the database is unreachable or cannot be migrated
         */
        public JdbcEventLog build() {
            return new JdbcEventLog(this);
        }
    }
}
