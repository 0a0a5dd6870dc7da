package dev.herald.core;

/**
 * A subscriber sent a {@code Last-Event-ID} that is not a cursor this hub ever issues.
 * (A well-formed id that is merely too old or unknown is not an error: the subscriber gets a
 * {@code herald-reset} event instead; see {@link ResumeStatus}.)
 */
public final class InvalidLastEventIdException extends InvalidSubscriptionException {

    public InvalidLastEventIdException(String message) {
        super(message);
    }
}
