package dev.herald.jdbc;

import static dev.herald.jdbc.Settings.positive;

import dev.herald.core.DeliveryCursors;
import dev.herald.core.EventLogException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.InstantSource;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link DeliveryCursors} in the {@code herald_delivery_cursors} table (H2 or PostgreSQL 15+).
 *
 * <p>{@link #delivered} only merges the position into memory (highest wins); a background thread,
 * {@code herald-jdbc-cursors}, writes what changed at most once per flush interval, in one
 * transaction. The write never lowers a stored cursor, in SQL too ({@code GREATEST} / a guarded
 * {@code MERGE}), so several processes may share the table. Positions not yet written are kept
 * and retried when the database fails; a crash loses at most one interval of them, which only
 * means a new device of that user gets a few events twice.
 *
 * <p>Build one with {@link #builder(DataSource)}. Thread-safe.
 */
public final class JdbcDeliveryCursors implements DeliveryCursors {

    private static final Logger log = LoggerFactory.getLogger(JdbcDeliveryCursors.class);

    private static final String POSTGRES_UPSERT =
            "INSERT INTO herald_delivery_cursors (user_id, delivered_through, updated_at) VALUES (?, ?, ?)"
                    + " ON CONFLICT (user_id) DO UPDATE SET"
                    + " delivered_through = GREATEST(herald_delivery_cursors.delivered_through, EXCLUDED.delivered_through),"
                    + " updated_at = EXCLUDED.updated_at"
                    + " WHERE herald_delivery_cursors.delivered_through < EXCLUDED.delivered_through";

    /** Standard SQL, for H2 and others. */
    private static final String MERGE =
            "MERGE INTO herald_delivery_cursors c"
                    + " USING (VALUES (CAST(? AS VARCHAR(1024)), CAST(? AS BIGINT), CAST(? AS TIMESTAMP WITH TIME ZONE)))"
                    + " AS v (user_id, delivered_through, updated_at)"
                    + " ON c.user_id = v.user_id"
                    + " WHEN MATCHED AND c.delivered_through < v.delivered_through THEN"
                    + " UPDATE SET delivered_through = v.delivered_through, updated_at = v.updated_at"
                    + " WHEN NOT MATCHED THEN INSERT (user_id, delivered_through, updated_at)"
                    + " VALUES (v.user_id, v.delivered_through, v.updated_at)";

    private final Connections connections;
    private final InstantSource clock;
    private final int queryTimeoutSeconds;
    private final String upsert;
    /** Positions recorded since the last flush took them. */
    private final ConcurrentHashMap<String, Long> pending = new ConcurrentHashMap<>();
    /** Positions being written, or whose write failed; only the flush changes this map. */
    private final ConcurrentHashMap<String, Long> unwritten = new ConcurrentHashMap<>();
    private final ScheduledExecutorService flusher;
    private final AtomicReference<Thread> thread = new AtomicReference<>();
    private final Duration closeTimeout;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AutoCloseable owned;
    private boolean failing;

    private JdbcDeliveryCursors(Builder builder) {
        this.connections = new Connections(builder.dataSource);
        this.clock = builder.clock;
        this.queryTimeoutSeconds = Sql.queryTimeoutSeconds(builder.queryTimeout);
        this.closeTimeout = builder.closeTimeout;
        this.owned = builder.owned;
        if (builder.migrate) {
            Schema.migrate(builder.dataSource, "the delivery cursors' table");
        }
        try {
            String product = connections.call(connection -> connection.getMetaData().getDatabaseProductName());
            this.upsert = "PostgreSQL".equalsIgnoreCase(product) ? POSTGRES_UPSERT : MERGE;
        } catch (SQLException e) {
            throw new EventLogException("could not open the delivery cursors: " + Sql.describe(e), e);
        }
        this.flusher = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread t = Thread.ofPlatform().name("herald-jdbc-cursors").daemon(true).unstarted(runnable);
            thread.set(t);
            return t;
        });
        long millis = Math.max(1, builder.flushInterval.toMillis());
        flusher.scheduleWithFixedDelay(this::flushQuietly, millis, millis, TimeUnit.MILLISECONDS);
    }

    /**
     * Starts building cursors on a data source that the caller keeps ownership of. Called once at
     * start-up, on any thread.
     */
    public static Builder builder(DataSource dataSource) {
        return new Builder(dataSource);
    }

    /**
     * Records the position in memory; the flusher writes it later. Called by connection writers
     * after each flush, concurrently; never blocks on I/O.
     */
    @Override
    public void delivered(String userId, long position) {
        Objects.requireNonNull(userId, "userId");
        pending.merge(userId, position, Math::max);
    }

    /**
     * The user's highest recorded position: the stored one, or a higher one not yet written.
     * Called when a client asks to continue where its user left off, on the subscribing thread;
     * runs one query.
     *
     * @throws EventLogException if the database could not be read
     */
    @Override
    public OptionalLong lastDelivered(String userId) {
        Objects.requireNonNull(userId, "userId");
        // Memory first: a flush moves a position into unwritten before taking it out of pending,
        // and out of unwritten only once it is committed, so it is always in one of the three.
        Long recorded = max(pending.get(userId), unwritten.get(userId));
        Long stored;
        try {
            stored = connections.call(connection -> {
                try (PreparedStatement select = connection.prepareStatement(
                        "SELECT delivered_through FROM herald_delivery_cursors WHERE user_id = ?")) {
                    select.setQueryTimeout(queryTimeoutSeconds);
                    select.setString(1, userId);
                    try (ResultSet row = select.executeQuery()) {
                        return row.next() ? row.getLong(1) : null;
                    }
                }
            });
        } catch (SQLException e) {
            throw new EventLogException("could not read the delivery cursor of a user: " + Sql.describe(e), e);
        }
        Long position = max(recorded, stored);
        return position == null ? OptionalLong.empty() : OptionalLong.of(position);
    }

    /**
     * Stops the flusher and writes what is still in memory. Called once at shutdown, on any
     * thread; safe to call twice. Does not close the data source.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        flusher.shutdown();
        try {
            if (!flusher.awaitTermination(Math.max(1, closeTimeout.toMillis()), TimeUnit.MILLISECONDS)) {
                log.warn("The delivery cursors' flusher did not finish within {}", closeTimeout);
            } else if (thread.get() != null) {
                thread.get().join(1000); // the pool is terminated; let its thread finish exiting
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            flush();
        } catch (SQLException | RuntimeException e) {
            log.warn("Could not write {} delivery cursors at close: {}", unwritten.size(), Sql.describe(e));
        }
        if (owned != null) {
            try {
                owned.close();
            } catch (Exception e) {
                log.warn("Could not close the delivery cursors' data source: {}", Sql.describe(e));
            }
        }
    }

    private void flushQuietly() {
        try {
            flush();
            if (failing) {
                failing = false;
                log.info("Delivery cursors are written again");
            }
        } catch (SQLException | RuntimeException e) {
            if (!failing) {
                failing = true;
                log.warn("Could not write delivery cursors; they stay in memory and are retried: {}", Sql.describe(e));
            }
        }
    }

    /** Writes every position recorded so far. The flusher thread, close, or tests. */
    synchronized void flush() throws SQLException {
        for (Map.Entry<String, Long> entry : pending.entrySet()) {
            // Into unwritten first, then out of pending: a concurrent read always finds it somewhere.
            unwritten.merge(entry.getKey(), entry.getValue(), Math::max);
            pending.remove(entry.getKey(), entry.getValue());
        }
        if (unwritten.isEmpty()) {
            return;
        }
        // Sorted, so processes sharing the table lock rows in the same order.
        TreeMap<String, Long> batch = new TreeMap<>(unwritten);
        connections.call(connection -> {
            connection.setAutoCommit(false);
            try (PreparedStatement write = connection.prepareStatement(upsert)) {
                write.setQueryTimeout(queryTimeoutSeconds);
                OffsetDateTime now = EventRows.timestamp(clock.instant());
                for (Map.Entry<String, Long> entry : batch.entrySet()) {
                    write.setString(1, entry.getKey());
                    write.setLong(2, entry.getValue());
                    write.setObject(3, now);
                    write.addBatch();
                }
                write.executeBatch();
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                Sql.rollbackQuietly(connection, e);
                throw e;
            } finally {
                Sql.autoCommitQuietly(connection);
            }
            return null;
        });
        List<String> written = new ArrayList<>(batch.keySet());
        for (String user : written) {
            unwritten.remove(user, batch.get(user));
        }
    }

    Thread thread() {
        return thread.get();
    }

    private static Long max(Long a, Long b) {
        if (a == null) {
            return b;
        }
        return b == null ? a : Math.max(a, b);
    }

    /**
     * Configures {@link JdbcDeliveryCursors}. Used once at start-up, on one thread; not
     * thread-safe. Every setting has a default.
     */
    public static final class Builder {
        private final DataSource dataSource;
        private InstantSource clock = InstantSource.system();
        private Duration flushInterval = Duration.ofSeconds(1);
        private Duration queryTimeout = Duration.ofSeconds(30);
        private Duration closeTimeout = Duration.ofSeconds(10);
        private boolean migrate = true;
        private AutoCloseable owned;

        private Builder(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        }

        /** Closes this resource (a pool made for these cursors) when the cursors close. */
        Builder closing(AutoCloseable resource) {
            owned = resource;
            return this;
        }

        /** The most time between a delivery and its write (1 s). */
        public Builder flushInterval(Duration value) {
            flushInterval = positive(value, "flushInterval");
            return this;
        }

        /** The clock for the {@code updated_at} column; the system clock by default. */
        public Builder clock(InstantSource value) {
            clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /** The JDBC query timeout of every statement, in whole seconds (30 s). */
        public Builder queryTimeout(Duration value) {
            queryTimeout = positive(value, "queryTimeout");
            return this;
        }

        /** How long {@link JdbcDeliveryCursors#close()} waits for a running flush (10 s). */
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
         * Migrates the schema and starts the flusher.
         *
         * @throws EventLogException if the database is unreachable or cannot be migrated
         */
        public JdbcDeliveryCursors build() {
            return new JdbcDeliveryCursors(this);
        }
    }
}
