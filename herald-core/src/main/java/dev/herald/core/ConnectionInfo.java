package dev.herald.core;

import java.time.Instant;
import java.util.List;

/**
 * A snapshot of one connection, for admin views and demos.
 *
 * @param id       the connection's hub-unique number
 * @param userId   the subscriber's user id, or {@code null}
 * @param clientId the client id, or {@code null}
 * @param topics   the selectors, as written
 * @param openedAt when the connection opened
 * @param queued   how many frames wait in its queue
 * @param state    where the connection is in its life
 */
public record ConnectionInfo(long id, String userId, String clientId, List<String> topics, Instant openedAt, int queued,
        State state) {

    /** Where a connection is in its life. */
    public enum State {
        /** Opened; the transport has not started it yet. */
        OPENED,
        /** Sending history; not yet receiving live events. */
        REPLAYING,
        /** Caught up and receiving live events. */
        LIVE,
        /** Closing or closed. */
        CLOSING
    }
}
