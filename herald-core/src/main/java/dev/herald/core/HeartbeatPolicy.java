package dev.herald.core;

import java.time.Duration;
import java.util.Objects;

/**
 * When an idle connection gets a comment line to keep proxies from timing it out and to find dead
 * clients. Any write resets the clock, so busy connections get no heartbeats.
 *
 * @param interval the idle time after which a heartbeat is sent; {@link Duration#ZERO} for never
 */
public record HeartbeatPolicy(Duration interval) {

    public HeartbeatPolicy {
        Objects.requireNonNull(interval, "interval");
        if (interval.isNegative()) {
            throw new IllegalArgumentException("heartbeat interval must not be negative");
        }
    }

    /** A heartbeat after every {@code interval} of silence. */
    public static HeartbeatPolicy every(Duration interval) {
        if (interval.isZero()) {
            throw new IllegalArgumentException("use HeartbeatPolicy.disabled() for no heartbeat");
        }
        return new HeartbeatPolicy(interval);
    }

    /** No heartbeats. Dead clients are then found only when an event is written to them. */
    public static HeartbeatPolicy disabled() {
        return new HeartbeatPolicy(Duration.ZERO);
    }

    public boolean enabled() {
        return !interval.isZero();
    }
}
