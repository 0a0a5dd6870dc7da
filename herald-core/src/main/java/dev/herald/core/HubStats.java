package dev.herald.core;

/**
 * A snapshot of the hub's counters since it started.
 *
 * @param connections      connections open now
 * @param opened           connections ever opened
 * @param refused          subscriptions refused by a connection limit
 * @param published        events published through this hub
 * @param delivered        events written to connections (live and replayed)
 * @param replayed         of those, events written from history on resume
 * @param slowDisconnects  connections closed because their queue overflowed or a write stalled
 * @param resets           {@code herald-reset} notices sent (history no longer available)
 */
public record HubStats(
        int connections,
        long opened,
        long refused,
        long published,
        long delivered,
        long replayed,
        long slowDisconnects,
        long resets) {
}
