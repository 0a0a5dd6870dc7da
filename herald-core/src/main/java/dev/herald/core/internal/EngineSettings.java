package dev.herald.core.internal;

import dev.herald.core.ConnectionLimits;
import dev.herald.core.HeartbeatPolicy;
import java.time.Duration;

/**
 * The engine's tunables, sealed once the hub is built.
 *
 * @param retry             the reconnection delay sent to every client on connect
 * @param heartbeat         when idle connections get a comment
 * @param limits            connection limits
 * @param queueCapacity     frames a connection may have waiting before it is closed as too slow
 * @param queueCapacityBytes bytes of frames a connection may have waiting before it is closed as too slow
 * @param maxStreamLifetime how long a stream lives before the hub ends it (the client resumes);
 *                          zero for no limit
 * @param maxDataBytes      the largest event data accepted, in UTF-8 bytes
 * @param writeTimeout      how long one write may block before the connection is given up
 * @param pollInterval      how often the dispatcher reads the log without being signalled
 * @param shutdownTimeout   how long closing the hub waits for writers to finish
 * @param maxTopics         the most selectors one subscription may hold
 * @param shutdownRetrySpread the window over which closing the hub spreads the reconnection delays
 *                          it sends to open streams; zero sends none
 */
public record EngineSettings(
        Duration retry,
        HeartbeatPolicy heartbeat,
        ConnectionLimits limits,
        int queueCapacity,
        long queueCapacityBytes,
        Duration maxStreamLifetime,
        int maxDataBytes,
        Duration writeTimeout,
        Duration pollInterval,
        Duration shutdownTimeout,
        int maxTopics,
        Duration shutdownRetrySpread) {

    public EngineSettings {
        if (queueCapacity < 1) {
            throw new IllegalArgumentException("queueCapacity must be at least 1");
        }
        if (queueCapacityBytes < 1) {
            throw new IllegalArgumentException("queueCapacityBytes must be at least 1");
        }
        if (maxTopics < 1) {
            throw new IllegalArgumentException("maxTopics must be at least 1");
        }
        if (maxDataBytes < 1) {
            throw new IllegalArgumentException("maxDataBytes must be at least 1");
        }
        requirePositive("writeTimeout", writeTimeout);
        requirePositive("pollInterval", pollInterval);
        if (retry.compareTo(dev.herald.core.sse.SseEncoder.MAX_RETRY) > 0) {
            throw new IllegalArgumentException("retry must not exceed " + Long.MAX_VALUE + " ms");
        }
        if (shutdownRetrySpread.compareTo(dev.herald.core.sse.SseEncoder.MAX_RETRY) > 0) {
            throw new IllegalArgumentException("shutdownRetrySpread must not exceed " + Long.MAX_VALUE + " ms");
        }
        if (retry.isNegative() || maxStreamLifetime.isNegative() || shutdownTimeout.isNegative()
                || shutdownRetrySpread.isNegative()) {
            throw new IllegalArgumentException("durations must not be negative");
        }
    }

    /** Settings that send no reconnection delay at shutdown (clients come back after {@code retry}). */
    public EngineSettings(Duration retry, HeartbeatPolicy heartbeat, ConnectionLimits limits, int queueCapacity,
            long queueCapacityBytes, Duration maxStreamLifetime, int maxDataBytes, Duration writeTimeout,
            Duration pollInterval, Duration shutdownTimeout, int maxTopics) {
        this(retry, heartbeat, limits, queueCapacity, queueCapacityBytes, maxStreamLifetime, maxDataBytes, writeTimeout,
                pollInterval, shutdownTimeout, maxTopics, Duration.ZERO);
    }

    private static void requirePositive(String name, Duration value) {
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive");
        }
    }
}
