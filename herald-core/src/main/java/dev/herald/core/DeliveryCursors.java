package dev.herald.core;

import java.util.OptionalLong;

/**
 * Per-user delivery records: for each user, the log position up to which events have been
 * delivered to one of that user's connections. A client that connects with no
 * {@code Last-Event-ID} but asks to continue where its user left off (say, the same user on a new
 * device) starts from here.
 *
 * <p>Implementations may batch writes (a cursor a few events behind only means a few events are
 * delivered twice to a new device, never that one is lost), must be thread-safe, and must never
 * move a user's cursor backwards.
 */
public interface DeliveryCursors extends AutoCloseable {

    /**
     * Records that every event up to {@code position} has been delivered to a connection of the
     * user. Called by connection writers after a flush, often; must be cheap and must not block on
     * I/O.
     */
    void delivered(String userId, long position);

    /** The user's recorded position, or empty if nothing was ever delivered to them. */
    OptionalLong lastDelivered(String userId);

    /** Writes out anything still batched and releases resources. Safe to call twice. */
    @Override
    void close();

    /** Cursors kept in this process's memory only. */
    static DeliveryCursors inMemory() {
        return new InMemoryDeliveryCursors();
    }
}
