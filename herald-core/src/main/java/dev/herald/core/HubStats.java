package dev.herald.core;

import java.util.Map;

/**
 * A snapshot of the hub's counters since it started.
 *
 * @param connections         connections open now
 * @param opened              connections ever opened
 * @param refused             subscriptions refused by a connection limit
 * @param published           events published through this hub
 * @param delivered           events written to connections (live and replayed)
 * @param replayed            of those, events written from history on resume
 * @param slowDisconnects     connections closed because their queue overflowed or a write stalled
 * @param resets              {@code herald-reset} notices sent (history no longer available)
 * @param streamsByTransport  open connections that a transport has started, by the transport
 *                            ({@link EventSink#transport()}); every transport is present. Those
 *                            opened but not started yet (for a few milliseconds) are in none
 * @param resumes             connections ever opened, by how their history was settled; every
 *                            status is present
 * @param droppedSlow         frames (events, mostly) discarded with the connections closed for
 *                            falling behind: the one that overflowed and those still queued
 * @param droppedNotPermitted events a connection selected by topic but was not allowed to receive
 *                            (private, or for another audience), counted once per connection
 * @param droppedExpired      log positions retention removed before a connection read them: from a
 *                            client's {@code Last-Event-ID} to the horizon when it resumes too late
 *                            or retention overtakes its replay. Positions of every topic, so an
 *                            upper bound of the events it missed
 * @param storeAppendErrors   appends the event log failed ({@link EventLogException})
 * @param storeReadErrors     reads of the event log that failed: by the dispatcher (each failed
 *                            attempt while the log is down), by a replay, or to settle a resume point
 */
public record HubStats(
        int connections,
        long opened,
        long refused,
        long published,
        long delivered,
        long replayed,
        long slowDisconnects,
        long resets,
        Map<EventSink.Transport, Integer> streamsByTransport,
        Map<ResumeStatus, Long> resumes,
        long droppedSlow,
        long droppedNotPermitted,
        long droppedExpired,
        long storeAppendErrors,
        long storeReadErrors) {

    public HubStats {
        streamsByTransport = Map.copyOf(streamsByTransport);
        resumes = Map.copyOf(resumes);
    }
}
