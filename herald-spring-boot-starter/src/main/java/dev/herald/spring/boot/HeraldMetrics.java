package dev.herald.spring.boot;

import dev.herald.core.EventLog;
import dev.herald.core.EventSink;
import dev.herald.core.Hub;
import dev.herald.core.HubStats;
import dev.herald.core.Presence;
import dev.herald.core.ResumeStatus;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * The hub's counters as Micrometer meters ({@code herald.*}), read from {@link Hub#stats()} when
 * the registry is scraped: nothing is added to the publish or write paths. With the starter's
 * recorder (the hub's {@link dev.herald.core.MetricsRecorder}), also the latencies, queue depths
 * and subscriptions by selector that the hub samples. Every meter is listed in
 * {@code docs/OPERATIONS.md}.
 */
public final class HeraldMetrics implements MeterBinder {

    private final Hub hub;
    private final Presence presence;
    private final MicrometerRecorder recorder;

    /** The hub's counters and gauges only. */
    public HeraldMetrics(Hub hub, Presence presence) {
        this(hub, presence, null);
    }

    /** Also the meters of the recorder the hub (and its log) report to, if not {@code null}. */
    HeraldMetrics(Hub hub, Presence presence, MicrometerRecorder recorder) {
        this.hub = hub;
        this.presence = presence;
        this.recorder = recorder;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        for (EventSink.Transport transport : EventSink.Transport.values()) {
            Gauge.builder("herald.connections", hub, h -> connections(h.stats(), transport))
                    .tag("transport", transport.label())
                    .description("Connections open now, by transport (their sum is every open connection)").register(registry);
        }
        counter(registry, "herald.connections.opened", Tags.empty(), "Connections ever opened", HubStats::opened);
        counter(registry, "herald.connections.refused", Tags.empty(), "Subscriptions refused by a connection limit", HubStats::refused);
        counter(registry, "herald.connections.slow", Tags.empty(), "Connections closed for falling behind", HubStats::slowDisconnects);
        counter(registry, "herald.events.published", Tags.empty(), "Events published", HubStats::published);
        counter(registry, "herald.events.delivered", Tags.empty(), "Events written to connections", HubStats::delivered);
        counter(registry, "herald.events.replayed", Tags.empty(), "Events written from history on resume", HubStats::replayed);
        counter(registry, "herald.resets", Tags.empty(), "Clients told their history expired", HubStats::resets);
        String dropped = "Events a connection did not get, by reason";
        counter(registry, "herald.events.dropped", Tags.of("reason", "slow-client"), dropped, HubStats::droppedSlow);
        counter(registry, "herald.events.dropped", Tags.of("reason", "not-permitted"), dropped, HubStats::droppedNotPermitted);
        counter(registry, "herald.events.dropped", Tags.of("reason", "expired"), dropped, HubStats::droppedExpired);
        for (ResumeStatus status : ResumeStatus.values()) {
            counter(registry, "herald.resumes", Tags.of("status", status.name().toLowerCase(Locale.ROOT)),
                    "Connections opened, by how their Last-Event-ID was settled", stats -> stats.resumes().get(status));
        }
        String store = storeName(hub.eventLog());
        String errors = "Failed appends to and reads of the event log";
        counter(registry, "herald.store.errors", Tags.of("store", store, "operation", "append"), errors, HubStats::storeAppendErrors);
        counter(registry, "herald.store.errors", Tags.of("store", store, "operation", "read"), errors, HubStats::storeReadErrors);
        Gauge.builder("herald.cluster.nodes", presence, p -> summary(p, true))
                .description("Nodes in the cluster that reported recently (1 on a single node)").register(registry);
        Gauge.builder("herald.cluster.connections", presence, p -> summary(p, false))
                .description("Connections open on every node of the cluster").register(registry);
        if (recorder != null) {
            recorder.bindTo(registry, store);
        }
    }

    /**
     * Streams of the transport; {@code other} also holds the connections not started yet, so the
     * gauges add up to every open connection.
     */
    private static double connections(HubStats stats, EventSink.Transport transport) {
        if (transport != EventSink.Transport.OTHER) {
            return stats.streamsByTransport().get(transport);
        }
        int known = 0;
        for (EventSink.Transport each : EventSink.Transport.values()) {
            if (each != EventSink.Transport.OTHER) {
                known += stats.streamsByTransport().get(each);
            }
        }
        return Math.max(0, stats.connections() - known);
    }

    /** The {@code store} label: memory, jdbc, redis, or the class of a log Herald does not ship. */
    static String storeName(EventLog log) {
        return switch (log.getClass().getName()) {
            case "dev.herald.core.InMemoryEventLog" -> "memory";
            case "dev.herald.jdbc.JdbcEventLog" -> "jdbc";
            case "dev.herald.redis.RedisEventLog" -> "redis";
            default -> log.getClass().getSimpleName();
        };
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

    private void counter(MeterRegistry registry, String name, Tags tags, String description, ToDoubleFunction<HubStats> value) {
        FunctionCounter.builder(name, hub, h -> value.applyAsDouble(h.stats()))
                .tags(tags).description(description).register(registry);
    }
}
