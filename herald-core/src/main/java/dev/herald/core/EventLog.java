package dev.herald.core;

/**
 * The history of events: appends give events their ids, reads serve replay and live dispatch.
 *
 * <p>Implementations must be safe for concurrent use, give ids that strictly increase in append
 * order, and make an appended event visible to {@link #readAfter} before {@link #append} returns.
 * The in-memory log ({@link #inMemory(RetentionPolicy)}) is the default; other modules store events
 * in a database or in Redis. Every implementation passes the same contract tests.
 */
public interface EventLog extends AutoCloseable {

    /**
     * Stores an event and gives it the next id. If the publication has a key and an event with that
     * key is still retained, returns that event and stores nothing.
     *
     * <p>Called on publisher threads, concurrently.
     *
     * @throws EventLogException if the event could not be stored; nothing was stored
     */
    Event append(Publication publication);

    /**
     * Stores an event without blocking the caller: the future completes once the event is stored
     * (with the stored event, or the existing one for a repeated key) or fails with
     * {@link EventLogException}. Logs that wait for a disk or a network override this so that a
     * transport's event loop never blocks; by default it calls {@link #append} on the calling
     * thread, which suits logs that answer at once.
     */
    default java.util.concurrent.CompletableFuture<Event> appendAsync(Publication publication) {
        try {
            return java.util.concurrent.CompletableFuture.completedFuture(append(publication));
        } catch (RuntimeException e) {
            return java.util.concurrent.CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Reads up to {@code limit} events with ids greater than {@code afterId}, oldest first, with the
     * log's current horizon and last id. A limit of zero reads only the bounds.
     *
     * <p>Called by the hub's dispatcher and by connection writers, concurrently.
     *
     * @throws EventLogException if the log could not be read
     */
    LogPage readAfter(long afterId, int limit);

    /**
     * The id of the retained event that was published with this publisher key ({@link Publication#key()}),
     * if the log still retains one: how a client that holds a publisher-chosen id (a Mercure update id)
     * resumes. May wait on a disk or the network (call it off an event loop when readsBlock() or the log is a database).
     *
     * @throws EventLogException if the log could not be read
     */
    java.util.OptionalLong idOfKey(String key);

    /**
     * Whether {@link #readAfter} may wait on the network even for the bounds (a zero limit), as a
     * log shared by a cluster does. Transports on event loops then open connections from another
     * thread. False by default: the bounds come from memory.
     */
    default boolean readsBlock() {
        return false;
    }

    /**
     * Checks that the log's backend answers (a database round trip, a Redis ping), within the
     * log's own timeout, with details such as how far commits or the follower lag. May block: call
     * it off event loops. By default a log in memory, always reachable.
     */
    default LogHealth health() {
        return LogHealth.reachable(java.util.Map.of("store", "memory"));
    }

    /** Releases the log's resources. Safe to call twice. */
    @Override
    void close();

    /** A log kept in this process's memory, bounded by the retention policy. */
    static EventLog inMemory(RetentionPolicy retention) {
        return new InMemoryEventLog(retention, java.time.InstantSource.system());
    }
}
