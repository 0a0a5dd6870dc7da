package dev.herald.core;

/**
 * How a stream writes event ids in its {@code id:} lines, and so what its clients send back in
 * {@code Last-Event-ID}. Either form resumes a stream of either kind.
 */
public enum IdFormat {

    /**
     * Herald's own: the stream's resume cursor, a log position (with, rarely, the ids of events a
     * higher priority let overtake older ones: {@code P~a~b}). Lets urgent events overtake, and
     * tells a client whose history has a hole with a {@code herald-reset} event.
     */
    CURSOR,

    /**
     * Each event's own id, as the Mercure protocol writes it: the id its publisher gave
     * ({@link Publication#key()}), or else {@link EventIds#urn(long)} of its log position. Events
     * are written in log order (no overtaking), and a hole in the history is not announced in the
     * stream (Mercure says it in the response's {@code Last-Event-ID} header).
     */
    MERCURE
}
