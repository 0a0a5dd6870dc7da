package dev.herald.spring.boot;

import dev.herald.core.Hub;
import dev.herald.core.HubStats;
import dev.herald.core.LogHealth;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Herald's health component ({@code herald} in {@code /actuator/health}): {@code UP} while the hub
 * is open and its event log's backend (the database, or Redis in a cluster) answers;
 * {@code OUT_OF_SERVICE} while the backend does not, so that a readiness group that includes
 * {@code herald} takes the node out of a load balancer until the backend is back (its streams
 * keep their history and resume elsewhere); {@code DOWN} once the hub is closed. Details: open
 * connections, events published, and the log's own (store, lag, error). A store that does not
 * answer the check within 3 s counts as unreachable, so a probe never waits on a hung database.
 */
public final class HeraldHealthIndicator implements HealthIndicator {

    /** The longest a check waits for the store: below the usual probe timeouts. */
    static final Duration CHECK_TIMEOUT = Duration.ofSeconds(3);

    private final Hub hub;

    public HeraldHealthIndicator(Hub hub) {
        this.hub = hub;
    }

    @Override
    public Health health() {
        if (hub.isClosed()) {
            return Health.down().withDetail("hub", "closed").build();
        }
        LogHealth log;
        try {
            // A probe must answer in time even when the store hangs: its own check may wait longer.
            log = CompletableFuture.supplyAsync(hub.eventLog()::health, task -> Thread.ofVirtual().name("herald-health").start(task))
                    .get(CHECK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            log = LogHealth.unreachable("no answer within " + CHECK_TIMEOUT.toSeconds() + " s", java.util.Map.of());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            log = LogHealth.unreachable("interrupted", java.util.Map.of());
        } catch (ExecutionException e) {
            log = LogHealth.unreachable(String.valueOf(e.getCause()), java.util.Map.of());
        }
        HubStats stats = hub.stats();
        Health.Builder health = log.reachable() ? Health.up() : Health.outOfService();
        return health.withDetail("connections", stats.connections())
                .withDetail("published", stats.published())
                .withDetails(log.details())
                .build();
    }
}
