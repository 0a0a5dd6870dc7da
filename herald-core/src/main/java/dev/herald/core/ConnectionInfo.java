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
 */
public record ConnectionInfo(long id, String userId, String clientId, List<String> topics, Instant openedAt, int queued) {
}
