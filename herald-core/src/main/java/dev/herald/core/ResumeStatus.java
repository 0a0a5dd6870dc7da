package dev.herald.core;

/** How a new connection's history was settled. */
public enum ResumeStatus {
    /** No {@code Last-Event-ID}: the connection receives events published from now on. */
    LIVE,
    /** The connection resumes exactly after its {@code Last-Event-ID}: nothing missed, nothing repeated. */
    RESUMED,
    /**
     * Events after the {@code Last-Event-ID} were already dropped by retention: the connection is
     * sent a {@code herald-reset} event, then every retained event.
     */
    EXPIRED,
    /**
     * The {@code Last-Event-ID} is well formed but newer than anything this log holds (for example,
     * it came from a hub whose in-memory history was lost): the connection is sent a
     * {@code herald-reset} event, then every retained event.
     */
    UNKNOWN
}
