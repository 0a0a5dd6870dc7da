package dev.herald.jdbc;

import dev.herald.core.Event;
import dev.herald.core.EventLogException;
import dev.herald.core.Publication;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit: publishers queue their publication and wait; one thread,
 * {@code herald-jdbc-committer}, takes everything queued, gives it the next ids, inserts it in one
 * transaction and only then makes it readable and wakes the publishers.
 *
 * <p>Why one thread: a reader that has seen id {@code n} must be able to rely on every id below
 * {@code n} being readable too, or it would skip an id that commits later. With a single writer
 * whose batches commit one after another, the committed ids are always a contiguous prefix, and
 * {@link RecentEvents#last()} (raised after each commit) bounds what any read returns.
 *
 * <p>A failed batch fails its publishers' appends and the thread carries on; the next batch first
 * re-reads the highest stored id, so ids stay right even if the database did commit a batch whose
 * commit reported an error.
 */
final class Committer {

    private static final Logger log = LoggerFactory.getLogger(JdbcEventLog.class);
    private static final int KEYS_PER_QUERY = 100;

    private final Connections connections;
    private final LogState state;
    private final InstantSource clock;
    private final int maxBatch;
    private final int queryTimeoutSeconds;
    private final Duration enqueueTimeout;
    private final long writerEpoch;
    private final BlockingQueue<Pending> queue;
    private final Thread thread;
    /** Lets tests hold batches back so that appends pile up into one. */
    private final Semaphore gate = new Semaphore(1, true);
    private final AtomicLong transactions = new AtomicLong();
    private final AtomicBoolean accepting = new AtomicBoolean(true);
    private volatile boolean stopping;
    private volatile String fencedReason;
    /**
     * The batch the committer is writing now, for {@link #pending()}; null between batches, and
     * cleared before its publishers are answered.
     */
    private volatile InFlight inFlight;
    /** Committer thread only: the last batch failed, so the stored position must be re-read. */
    private boolean resync;
    /** Committer thread only: for logging the change between failing and working once. */
    private boolean failing;

    Committer(Connections connections, LogState state, InstantSource clock, int maxBatch, int queueCapacity,
              Duration enqueueTimeout, int queryTimeoutSeconds, long writerEpoch) {
        this.connections = connections;
        this.state = state;
        this.clock = clock;
        this.maxBatch = maxBatch;
        this.queryTimeoutSeconds = queryTimeoutSeconds;
        this.enqueueTimeout = enqueueTimeout;
        this.writerEpoch = writerEpoch;
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.thread = Thread.ofPlatform().name("herald-jdbc-committer").daemon(true).unstarted(this::run);
    }

    void start() {
        thread.start();
    }

    /**
     * Queues the publication and waits until its batch committed. Publisher threads.
     *
     * @throws EventLogException if it was not stored (queue full, closed, or the batch failed)
     */
    Event append(Publication publication) {
        Pending pending = enqueue(publication, enqueueTimeout.toNanos());
        return await(pending);
    }

    /**
     * Queues the publication without waiting (an event loop must not block): a full queue fails
     * at once. The future completes on the committer thread once the batch is committed.
     */
    CompletableFuture<Event> appendAsync(Publication publication) {
        try {
            return enqueue(publication, 0).result.handle((event, failure) -> {
                if (failure != null) {
                    throw forPublisher(failure);
                }
                return event;
            });
        } catch (EventLogException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private Pending enqueue(Publication publication, long waitNanos) {
        if (!accepting.get()) {
            throw new EventLogException("the event log is closed; nothing was stored");
        }
        String fenced = fencedReason;
        if (fenced != null) {
            throw new EventLogException(fenced + "; nothing was stored");
        }
        Pending pending = new Pending(publication);
        boolean queued;
        try {
            queued = waitNanos > 0 ? queue.offer(pending, waitNanos, TimeUnit.NANOSECONDS) : queue.offer(pending);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EventLogException("interrupted while waiting to append; nothing was stored", e);
        }
        if (!queued) {
            throw new EventLogException("the event log is overloaded: " + queue.size()
                    + " appends are waiting for the database; nothing was stored");
        }
        if (!accepting.get() && pending.claim()) {
            // Closed while queuing, and nobody took it: withdraw it.
            throw new EventLogException("the event log is closed; nothing was stored");
        }
        return pending;
    }

    /** The batch's failure as a fresh exception per publisher, so each has its own stack trace. */
    private static EventLogException forPublisher(Throwable failure) {
        return new EventLogException(failure.getMessage(), failure.getCause() != null ? failure.getCause() : failure);
    }

    private static Event await(Pending pending) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return pending.result.get();
                } catch (InterruptedException e) {
                    if (pending.claim()) {
                        interrupted = true;
                        throw new EventLogException("interrupted while waiting to append; nothing was stored", e);
                    }
                    // The committer is writing it: the outcome is on its way.
                    interrupted = true;
                } catch (ExecutionException e) {
                    throw forPublisher(e.getCause());
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Stops accepting appends, lets the committer write what is queued for up to {@code timeout},
     * then fails whatever is left. Called by {@link JdbcEventLog#close()}.
     */
    void stop(Duration timeout) {
        accepting.set(false);
        stopping = true;
        try {
            thread.join(Math.max(1, timeout.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            log.warn("The event log's committer did not finish within {}; failing the appends still queued", timeout);
        }
        List<Pending> left = new ArrayList<>();
        queue.drainTo(left);
        for (Pending pending : left) {
            if (pending.claim()) {
                pending.result.completeExceptionally(new EventLogException("the event log closed; nothing was stored"));
            }
        }
    }

    Thread thread() {
        return thread;
    }

    long transactions() {
        return transactions.get();
    }

    int queued() {
        return queue.size();
    }

    /** Appends accepted but not committed yet: queued, or in the batch being written. Any thread. */
    int pending() {
        InFlight writing = inFlight;
        return queue.size() + (writing == null ? 0 : writing.count);
    }

    /**
     * How long the oldest append not committed yet has waited, in nanoseconds; 0 if there is none.
     * Any thread; a snapshot, taken without stopping the committer.
     */
    long oldestPendingNanos() {
        InFlight writing = inFlight;
        long since;
        if (writing != null) {
            since = writing.since;
        } else {
            Pending first = queue.peek();
            if (first == null) {
                return 0;
            }
            since = first.queuedAt;
        }
        return Math.max(0, System.nanoTime() - since);
    }

    void hold() {
        gate.acquireUninterruptibly();
    }

    void release() {
        gate.release();
    }

    private void run() {
        List<Pending> batch = new ArrayList<>(maxBatch);
        while (true) {
            gate.acquireUninterruptibly();
            try {
                Pending first;
                try {
                    first = queue.poll(100, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    // Nobody should interrupt this thread; stopping is by flag.
                    first = null;
                }
                if (first == null) {
                    if (stopping) {
                        return;
                    }
                    continue;
                }
                batch.clear();
                batch.add(first);
                queue.drainTo(batch, maxBatch - 1);
                batch.removeIf(pending -> !pending.claim());
                if (!batch.isEmpty()) {
                    // The queue is first in, first out: the batch's first append is the oldest waiting.
                    inFlight = new InFlight(batch.size(), batch.getFirst().queuedAt);
                    commit(batch);
                }
            } catch (RuntimeException | Error e) {
                resync = true;
                log.error("The event log's committer failed unexpectedly; it goes on", e);
                fail(batch, "could not store the event: " + Sql.describe(e), e);
            } finally {
                inFlight = null;
                gate.release();
            }
        }
    }

    private void commit(List<Pending> batch) {
        String fenced = fencedReason;
        if (fenced != null) {
            fail(batch, fenced + "; nothing was stored", null);
            return;
        }
        Attempt attempt = new Attempt();
        try {
            Written written = write(batch, attempt);
            state.recent.publish(written.inserted, written.last);
            transactions.incrementAndGet();
            inFlight = null; // before answering: a publisher that got its event no longer counts as pending
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).result.complete(written.results[i]);
            }
            if (failing) {
                failing = false;
                log.info("The event log's database accepts appends again");
            }
        } catch (FencedOut e) {
            fencedReason = e.getMessage();
            log.error("{}; this log no longer appends", e.getMessage());
            fail(batch, e.getMessage() + "; nothing was stored", null);
        } catch (SQLException e) {
            resync = true;
            if (!attempt.committing && Sql.isDataError(e)) {
                if (batch.size() > 1) {
                    // One publication the database refuses must not fail the others: go one by one.
                    log.debug("A batch of {} appends was refused ({}); retrying them one by one", batch.size(), Sql.describe(e));
                    for (int i = 0; i < batch.size(); i++) {
                        inFlight = new InFlight(batch.size() - i, batch.get(i).queuedAt);
                        commit(List.of(batch.get(i)));
                    }
                } else {
                    fail(batch, "the database refused the event; nothing was stored: " + Sql.describe(e), e);
                }
                return;
            }
            if (!failing) {
                failing = true;
                log.warn("The event log cannot store events; appends fail until the database is back: {}", Sql.describe(e));
            }
            if (attempt.committing) {
                fail(batch, "the database failed while committing the event, which may or may not be stored"
                        + " (a retry with the same key is safe): " + Sql.describe(e), e);
            } else {
                fail(batch, "could not store the event; nothing was stored: " + Sql.describe(e), e);
            }
        }
    }

    private void fail(List<Pending> batch, String message, Throwable cause) {
        inFlight = null;
        for (Pending pending : batch) {
            pending.result.completeExceptionally(new EventLogException(message, cause));
        }
    }

    private Written write(List<Pending> batch, Attempt attempt) throws SQLException {
        return connections.call(connection -> {
            connection.setAutoCommit(false);
            try {
                checkEpoch(connection);
                long last = resync ? resync(connection) : state.lastCommitted();
                long horizon = state.horizon();
                Map<String, Event> byKey = retainedKeys(connection, batch, horizon);
                Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
                List<Event> inserted = new ArrayList<>(batch.size());
                Event[] results = new Event[batch.size()];
                long next = last;
                for (int i = 0; i < batch.size(); i++) {
                    Publication publication = batch.get(i).publication;
                    Event existing = publication.key() == null ? null : byKey.get(publication.key());
                    if (existing != null) {
                        results[i] = existing;
                        continue;
                    }
                    Event event = new Event(++next, now, EventRows.normalize(publication));
                    inserted.add(event);
                    results[i] = event;
                    if (publication.key() != null) {
                        byKey.put(publication.key(), event);
                    }
                }
                if (!inserted.isEmpty()) {
                    try (PreparedStatement insert = connection.prepareStatement(EventRows.INSERT)) {
                        insert.setQueryTimeout(queryTimeoutSeconds);
                        for (Event event : inserted) {
                            EventRows.bind(insert, event);
                            insert.addBatch();
                        }
                        insert.executeBatch();
                    }
                }
                attempt.committing = true;
                connection.commit();
                resync = false;
                return new Written(inserted, results, next);
            } catch (SQLException | RuntimeException e) {
                if (!attempt.committing) {
                    Sql.rollbackQuietly(connection, e);
                }
                throw e;
            } finally {
                Sql.autoCommitQuietly(connection);
            }
        });
    }

    /** Fails unless this log is still the one writer of the database (see {@code writer_epoch}). */
    private void checkEpoch(Connection connection) throws SQLException {
        try (PreparedStatement check = connection.prepareStatement(
                "UPDATE herald_log_state SET writer_epoch = writer_epoch WHERE id = 1 AND writer_epoch = ?")) {
            check.setQueryTimeout(queryTimeoutSeconds);
            check.setLong(1, writerEpoch);
            if (check.executeUpdate() != 1) {
                throw new FencedOut("another JdbcEventLog started on this database and took over appending");
            }
        }
    }

    /**
     * Re-reads the highest stored id after a failure. If a batch whose commit reported an error
     * was stored after all, its events become readable now. Returns the committed position.
     */
    private long resync(Connection connection) throws SQLException {
        long stored;
        try (PreparedStatement max = connection.prepareStatement("SELECT MAX(id) FROM herald_events");
             ResultSet row = max.executeQuery()) {
            row.next();
            stored = row.getLong(1);
        }
        long last = state.lastCommitted();
        if (stored > last) {
            log.warn("Events {} to {} were stored by a commit that reported a failure; they are readable now", last + 1, stored);
            state.recent.reset(stored);
            return stored;
        }
        return last;
    }

    /**
     * The retained events that hold a key some publication of the batch uses. Rows at or below the
     * horizon are no longer retained: they are deleted, so the key can be used again.
     */
    private Map<String, Event> retainedKeys(Connection connection, List<Pending> batch, long horizon) throws SQLException {
        Set<String> keys = new LinkedHashSet<>();
        for (Pending pending : batch) {
            if (pending.publication.key() != null) {
                keys.add(pending.publication.key());
            }
        }
        Map<String, Event> found = new HashMap<>();
        if (keys.isEmpty()) {
            return found;
        }
        List<Long> expired = new ArrayList<>();
        List<String> all = new ArrayList<>(keys);
        for (int from = 0; from < all.size(); from += KEYS_PER_QUERY) {
            List<String> chunk = all.subList(from, Math.min(all.size(), from + KEYS_PER_QUERY));
            String sql = "SELECT " + EventRows.COLUMNS + " FROM herald_events WHERE publisher_key IN ("
                    + String.join(", ", Collections.nCopies(chunk.size(), "?")) + ")";
            try (PreparedStatement select = connection.prepareStatement(sql)) {
                select.setQueryTimeout(queryTimeoutSeconds);
                for (int i = 0; i < chunk.size(); i++) {
                    select.setString(i + 1, chunk.get(i));
                }
                try (ResultSet rows = select.executeQuery()) {
                    for (Event event : EventRows.readAll(rows)) {
                        if (event.id() <= horizon) {
                            expired.add(event.id());
                        } else {
                            found.put(event.key(), event);
                        }
                    }
                }
            }
        }
        if (!expired.isEmpty()) {
            try (PreparedStatement delete = connection.prepareStatement("DELETE FROM herald_events WHERE id = ?")) {
                delete.setQueryTimeout(queryTimeoutSeconds);
                for (long id : expired) {
                    delete.setLong(1, id);
                    delete.addBatch();
                }
                delete.executeBatch();
            }
        }
        return found;
    }

    /** One queued append. Whoever claims it first (committer, withdrawing publisher, close) owns it. */
    private static final class Pending {
        final Publication publication;
        final CompletableFuture<Event> result = new CompletableFuture<>();
        /** {@link System#nanoTime()} when it was accepted. */
        final long queuedAt = System.nanoTime();
        private final AtomicBoolean claimed = new AtomicBoolean();

        Pending(Publication publication) {
            this.publication = publication;
        }

        boolean claim() {
            return claimed.compareAndSet(false, true);
        }
    }

    /** The batch being written: how many appends, and since when the oldest of them waits. */
    private record InFlight(int count, long since) {
    }

    private record Written(List<Event> inserted, Event[] results, long last) {
    }

    /** Whether the failure came from the commit itself, whose outcome is then unknown. */
    private static final class Attempt {
        boolean committing;
    }

    private static final class FencedOut extends RuntimeException {
        FencedOut(String message) {
            super(message, null, false, false);
        }
    }
}
