package dev.herald.core;

/**
 * The event log could not store or read events (for example, its database is unreachable).
 * A failed append stored nothing; the publisher may retry.
 */
public class EventLogException extends HeraldException {

    public EventLogException(String message, Throwable cause) {
        super(message, cause);
    }

    public EventLogException(String message) {
        super(message);
    }
}
