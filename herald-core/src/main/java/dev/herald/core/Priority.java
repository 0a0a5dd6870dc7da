package dev.herald.core;

import java.util.Locale;

/**
 * How urgently an event should reach its subscribers.
 *
 * <p>Priority only matters when a connection has a backlog: events waiting in the same
 * connection's queue are written {@link #HIGH} first, then {@link #NORMAL}, then {@link #LOW}.
 * Reordering never costs a client an event on reconnect; see {@code docs/PROTOCOL.md}.
 */
public enum Priority {
    HIGH, NORMAL, LOW;

    /**
     * Parses {@code high}, {@code normal} or {@code low}, ignoring case.
     *
     * @throws InvalidEventException if the text is none of those
     */
    public static Priority parse(String text) {
        if (text != null) {
            switch (text.toLowerCase(Locale.ROOT)) {
                case "high": return HIGH;
                case "normal": return NORMAL;
                case "low": return LOW;
                default: break;
            }
        }
        throw new InvalidEventException("priority must be one of high, normal, low; got " + Fields.quote(text));
    }

    /** The lower-case name used on the HTTP API. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
