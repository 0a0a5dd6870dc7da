package dev.herald.jdbc;

import dev.herald.core.RetentionPolicy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes what the retention policy dropped, in the background on {@code herald-jdbc-retention}.
 *
 * <p>Each run works out the new horizon (count bound, age bound), stores it in
 * {@code herald_log_state} first, then deletes rows at or below it in small id ranges, each its
 * own short transaction, so appends (which insert above the horizon) never wait for long.
 * Readers already hide dropped events before their rows go (see {@link LogState}).
 */
final class Retention {

    private static final Logger log = LoggerFactory.getLogger(JdbcEventLog.class);

    private final Connections connections;
    private final LogState state;
    private final RetentionPolicy policy;
    private final InstantSource clock;
    private final Duration interval;
    private final int chunk;
    private final int queryTimeoutSeconds;
    private final AtomicReference<Thread> thread = new AtomicReference<>();
    private final ScheduledExecutorService executor;
    private volatile boolean stopping;
    private boolean failing;

    Retention(Connections connections, LogState state, RetentionPolicy policy, InstantSource clock,
              Duration interval, int chunk, int queryTimeoutSeconds) {
        this.connections = connections;
        this.state = state;
        this.policy = policy;
        this.clock = clock;
        this.interval = interval;
        this.chunk = chunk;
        this.queryTimeoutSeconds = queryTimeoutSeconds;
        this.executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread t = Thread.ofPlatform().name("herald-jdbc-retention").daemon(true).unstarted(runnable);
            thread.set(t);
            return t;
        });
    }

    void start() {
        long millis = Math.max(1, interval.toMillis());
        executor.scheduleWithFixedDelay(this::purgeQuietly, millis, millis, TimeUnit.MILLISECONDS);
    }

    /** Lets a running purge finish (it stops between chunks), then ends the thread. */
    void stop(Duration timeout) {
        stopping = true;
        executor.shutdown();
        try {
            if (!executor.awaitTermination(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS)) {
                log.warn("The event log's retention thread did not finish within {}", timeout);
            } else if (thread.get() != null) {
                thread.get().join(1000); // the pool is terminated; let its thread finish exiting
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    Thread thread() {
        return thread.get();
    }

    private void purgeQuietly() {
        try {
            purge();
            if (failing) {
                failing = false;
                log.info("The event log's retention purge works again");
            }
        } catch (SQLException | RuntimeException e) {
            if (!failing) {
                failing = true;
                log.warn("The event log's retention purge failed; it retries every {}: {}", interval, Sql.describe(e));
            }
        }
    }

    /** One run: raise the stored horizon, then delete up to it. Retention thread, or tests. */
    synchronized void purge() throws SQLException {
        long last = state.lastCommitted();
        long target = state.horizon();
        Instant cutoff = clock.instant().minus(policy.maxAge());
        long start = target;
        connections.call(connection -> {
            connection.setAutoCommit(true);
            long through = Math.max(start, expiredThrough(connection, start, last, cutoff));
            if (through > state.persistedHorizon()) {
                try (PreparedStatement update = connection.prepareStatement(
                        "UPDATE herald_log_state SET horizon = ? WHERE id = 1 AND horizon < ?")) {
                    update.setQueryTimeout(queryTimeoutSeconds);
                    update.setLong(1, through);
                    update.setLong(2, through);
                    update.executeUpdate();
                }
                state.persisted(through);
            }
            deleteThrough(connection, state.persistedHorizon());
            return null;
        });
    }

    /**
     * The age bound from the database, for events the cache no longer holds: everything below the
     * first event (after {@code horizon}, up to {@code last}) that is not older than the cutoff.
     */
    private long expiredThrough(Connection connection, long horizon, long last, Instant cutoff) throws SQLException {
        if (horizon >= last) {
            return horizon;
        }
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT id FROM herald_events WHERE id > ? AND id <= ? AND created_at >= ? ORDER BY id FETCH FIRST 1 ROWS ONLY")) {
            select.setQueryTimeout(queryTimeoutSeconds);
            select.setLong(1, horizon);
            select.setLong(2, last);
            select.setObject(3, EventRows.timestamp(cutoff));
            try (ResultSet row = select.executeQuery()) {
                // Ids up to last are all committed, so if none of them is recent, all are expired.
                return row.next() ? row.getLong(1) - 1 : last;
            }
        }
    }

    private void deleteThrough(Connection connection, long horizon) throws SQLException {
        long lowest;
        try (PreparedStatement min = connection.prepareStatement("SELECT MIN(id) FROM herald_events")) {
            min.setQueryTimeout(queryTimeoutSeconds);
            try (ResultSet row = min.executeQuery()) {
                row.next();
                lowest = row.getLong(1);
                if (row.wasNull()) {
                    return;
                }
            }
        }
        try (PreparedStatement delete = connection.prepareStatement(
                "DELETE FROM herald_events WHERE id >= ? AND id <= ?")) {
            delete.setQueryTimeout(queryTimeoutSeconds);
            for (long from = lowest; from <= horizon && !stopping; ) {
                long through = Math.min(horizon, from + chunk - 1);
                delete.setLong(1, from);
                delete.setLong(2, through);
                delete.executeUpdate();
                from = through + 1;
            }
        }
    }
}
