package dev.herald.core;

/** A subscription was refused because its topics or other parameters are malformed. */
public class InvalidSubscriptionException extends HeraldException {

    public InvalidSubscriptionException(String message) {
        super(message);
    }
}
