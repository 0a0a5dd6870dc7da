package dev.herald.spring.boot;

import dev.herald.core.Hub;
import dev.herald.core.HubStats;
import dev.herald.core.LogHealth;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Herald's health component ({@code herald} in {@code /actuator/health}): {@code UP} while the hub
 * is open and its event log's backend (the database, or Redis in a cluster) answers;
 * {@code OUT_OF_SERVICE} while the backend does not, so that a readiness group that includes
 * {@code herald} takes the node out of a load balancer until the backend is back (its streams
 * keep their history and resume elsewhere); {@code DOWN} once the hub is closed. Details: open
 * connections, events published, and the log's own (store, lag, error).
 */
public final class HeraldHealthIndicator implements HealthIndicator {

    private final Hub hub;

    public HeraldHealthIndicator(Hub hub) {
        this.hub = hub;
    }

    @Override
    public Health health() {
        if (hub.isClosed()) {
            return Health.down().withDetail("hub", "closed").build();
        }
        LogHealth log = hub.eventLog().health();
        HubStats stats = hub.stats();
        Health.Builder health = log.reachable() ? Health.up() : Health.outOfService();
        return health.withDetail("connections", stats.connections())
                .withDetail("published", stats.published())
                .withDetails(log.details())
                .build();
    }
}
