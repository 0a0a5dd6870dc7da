package dev.herald.core;

import java.time.Duration;

/** A subscription was refused because a connection limit is reached. Nothing changed. */
public final class ConnectionLimitException extends HeraldException {

    /** Which limit refused the connection. */
    public enum Scope {
        /** The hub holds its maximum number of connections. */
        HUB,
        /** The user already holds their maximum number of connections. */
        USER
    }

    private final Scope scope;
    private final int limit;
    private final Duration retryAfter;

    public ConnectionLimitException(Scope scope, int limit, Duration retryAfter) {
        super(scope == Scope.HUB
                ? "the hub already holds its maximum of " + limit + " connections"
                : "this user already holds the maximum of " + limit + " connections");
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
