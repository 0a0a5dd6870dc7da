package dev.herald.core;

import java.time.Duration;

/** A subscription was refused because a connection limit is reached. Nothing changed. */
public final class ConnectionLimitException extends HeraldException {

    /** Which limit refused the connection. */
    public enum Scope {
        /** The hub holds its maximum number of connections. */
        HUB,
        /** The user already holds their maximum number of connections. */
        USER,
        /** The client's address already holds its maximum number of connections (a transport's limit). */
        ADDRESS
    }

    private final Scope scope;
    private final int limit;
    private final Duration retryAfter;

    public ConnectionLimitException(Scope scope, int limit, Duration retryAfter) {
        super(switch (scope) {
            case HUB -> "the hub already holds its maximum of " + limit + " connections";
            case USER -> "this user already holds the maximum of " + limit + " connections";
            case ADDRESS -> "this address already holds the maximum of " + limit + " connections";
        });
        this.scope = scope;
        this.limit = limit;
        this.retryAfter = retryAfter;
    }

    public Scope scope() {
        return scope;
    }

    public int limit() {
        return limit;
    }

    /** How long a client should wait before trying again. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
