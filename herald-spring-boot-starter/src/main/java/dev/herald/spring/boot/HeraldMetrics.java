package dev.herald.spring.boot;

import dev.herald.core.HubStats;
import dev.herald.core.Hub;
import dev.herald.core.Presence;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.function.ToDoubleFunction;

/**
 * The hub's counters as Micrometer meters ({@code herald.*}), read from {@link Hub#stats()} when
 * the registry is scraped: nothing is added to the publish or write paths.
 */
public final class HeraldMetrics implements MeterBinder {

    private final Hub hub;
    private final Presence presence;

    public HeraldMetrics(Hub hub, Presence presence) {
        this.hub = hub;
        this.presence = presence;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("herald.connections", hub, h -> h.stats().connections())
                .description("Connections open now").register(registry);
        counter(registry, "herald.connections.opened", "Connections ever opened", HubStats::opened);
        counter(registry, "herald.connections.refused", "Subscriptions refused by a connection limit", HubStats::refused);
        counter(registry, "herald.connections.slow", "Connections closed for falling behind", HubStats::slowDisconnects);
        counter(registry, "herald.events.published", "Events published", HubStats::published);
        counter(registry, "herald.events.delivered", "Events written to connections", HubStats::delivered);
        counter(registry, "herald.events.replayed", "Events written from history on resume", HubStats::replayed);
        counter(registry, "herald.resets", "Clients told their history expired", HubStats::resets);
        Gauge.builder("herald.cluster.nodes", presence, p -> summary(p, true))
                .description("Nodes in the cluster that reported recently (1 on a single node)").register(registry);
        Gauge.builder("herald.cluster.connections", presence, p -> summary(p, false))
                .description("Connections open on every node of the cluster").register(registry);
    }

    /** Nodes or connections from the cluster's last known summary (never waits on Redis); NaN if there is none. */
    private static double summary(Presence presence, boolean nodes) {
        try {
            Presence.Summary summary = presence.recentSummary();
            return nodes ? summary.nodes() : summary.connections();
        } catch (RuntimeException e) {
            return Double.NaN;
        }
    }

    private void counter(MeterRegistry registry, String name, String description, ToDoubleFunction<HubStats> value) {
        FunctionCounter.builder(name, hub, h -> value.applyAsDouble(h.stats()))
                .description(description).register(registry);
    }
}
