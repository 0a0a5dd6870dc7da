package dev.herald.http;

import dev.herald.core.HeraldException;
import java.time.Duration;

/** The caller publishes faster than it may (answered 429 with {@code Retry-After}); nothing was stored. */
public final class RateLimitedException extends HeraldException {

    private final Duration retryAfter;
    private final double limit;

    public RateLimitedException(double perSecond, Duration retryAfter) {
        super("this publisher may publish " + format(perSecond) + " events a second; wait before publishing again");
        this.retryAfter = retryAfter;
        this.limit = perSecond;
    }

    private static String format(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }

    public Duration retryAfter() {
        return retryAfter;
    }

    /** The rate allowed, in events a second. */
    public double limit() {
        return limit;
    }
}
