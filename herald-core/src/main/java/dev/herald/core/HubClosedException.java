package dev.herald.core;

/** The hub is shutting down or closed and accepts no more publications or subscriptions. */
public final class HubClosedException extends HeraldException {

    public HubClosedException() {
        super("the hub is shutting down");
    }
}
