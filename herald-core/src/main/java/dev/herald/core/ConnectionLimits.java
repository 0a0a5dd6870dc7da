package dev.herald.core;

import java.time.Duration;
import java.util.Objects;

/**
 * How many connections the hub holds at once, in all and per user. Anonymous subscribers count
 * toward the total only. A refused subscriber is told to retry after {@code retryAfter}.
 *
 * @param maxConnections        the most connections the hub holds
 * @param maxConnectionsPerUser the most connections one user holds
 * @param retryAfter            the delay suggested to refused clients
 */
public record ConnectionLimits(int maxConnections, int maxConnectionsPerUser, Duration retryAfter) {

    public ConnectionLimits {
        if (maxConnections < 1 || maxConnectionsPerUser < 1) {
            throw new IllegalArgumentException("connection limits must be at least 1");
        }
        Objects.requireNonNull(retryAfter, "retryAfter");
    }

    /** The given limits, with clients told to retry after 10 seconds. */
    public static ConnectionLimits of(int maxConnections, int maxConnectionsPerUser) {
        return new ConnectionLimits(maxConnections, maxConnectionsPerUser, Duration.ofSeconds(10));
    }

    /** 10,000 connections, 16 per user. */
    public static ConnectionLimits defaults() {
        return of(10_000, 16);
    }

    public ConnectionLimits withRetryAfter(Duration value) {
        return new ConnectionLimits(maxConnections, maxConnectionsPerUser, value);
    }
}
