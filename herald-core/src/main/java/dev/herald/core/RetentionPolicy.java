package dev.herald.core;

import java.time.Duration;
import java.util.Objects;

/**
 * How much history a log keeps: at most {@code maxEvents} events, none older than {@code maxAge}.
 * Whichever bound is reached first drops the oldest events.
 *
 * @param maxEvents the most events kept, at least 1
 * @param maxAge    the oldest event kept, positive
 */
public record RetentionPolicy(int maxEvents, Duration maxAge) {

    public RetentionPolicy {
        if (maxEvents < 1) {
            throw new IllegalArgumentException("maxEvents must be at least 1, got " + maxEvents);
        }
        Objects.requireNonNull(maxAge, "maxAge");
        if (maxAge.isNegative() || maxAge.isZero()) {
            throw new IllegalArgumentException("maxAge must be positive, got " + maxAge);
        }
    }

    /** Keeps at most this many events, none older than this. */
    public static RetentionPolicy of(int maxEvents, Duration maxAge) {
        return new RetentionPolicy(maxEvents, maxAge);
    }

    /** 10,000 events, one hour. */
    public static RetentionPolicy defaults() {
        return new RetentionPolicy(10_000, Duration.ofHours(1));
    }
}
