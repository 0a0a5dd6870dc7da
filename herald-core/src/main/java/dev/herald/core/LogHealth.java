package dev.herald.core;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Whether an {@link EventLog}'s backend answers, as health checks and readiness probes report it:
 * a store that cannot be reached makes a node unready, so that a load balancer sends its clients
 * elsewhere until it is back.
 *
 * @param reachable whether the backend answered the check in time
 * @param details   what an operator wants to see beside it (store, lag, the error), in order; values
 *                  are strings, numbers or booleans
 */
public record LogHealth(boolean reachable, Map<String, Object> details) {

    public LogHealth {
        details = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(details, "details")));
    }

    /** A backend that answered. */
    public static LogHealth reachable(Map<String, Object> details) {
        return new LogHealth(true, details);
    }

    /** A backend that did not answer, and why. */
    public static LogHealth unreachable(String error, Map<String, Object> details) {
        Map<String, Object> all = new LinkedHashMap<>(details);
        all.put("error", error);
        return new LogHealth(false, all);
    }
}
