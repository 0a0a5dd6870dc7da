package dev.herald.spring.boot;

import dev.herald.core.MetricsRecorder;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The hub's and the event log's measurements ({@link MetricsRecorder}) as Micrometer meters, in
 * every registry that {@link HeraldMetrics} is bound to: the delivery and commit latencies as
 * timers with a percentile histogram, queue depths as a distribution summary, and the most used
 * selectors as a gauge per selector.
 *
 * <p>Made before the hub (which needs it) and before any registry exists: measurements that come
 * before {@link #bindTo} are not kept. Called on the hub's writers, its timer and the log's
 * committer, concurrently; recording costs a few atomic updates and never blocks.
 */
final class MicrometerRecorder implements MetricsRecorder {

    /** The selector label of the subscriptions summed beyond the top ones. */
    static final String OTHER_SELECTORS = "other";

    /** The meters of each registry bound so far; replaced whole, read without a lock. */
    private volatile Meters[] bound = new Meters[0];
    /** The latest sample of subscriptions by selector, which the selector gauges read. */
    private volatile Map<String, Integer> topSelectors = Map.of();
    private volatile int otherSubscriptions;

    /** Creates this recorder's meters in the registry; the commit timer too if the log commits ({@code store} is "jdbc"). */
    synchronized void bindTo(MeterRegistry registry, String store) {
        for (Meters meters : bound) {
            if (meters.registry == registry) {
                return; // bound twice: recording twice would count everything double
            }
        }
        Timer delivery = Timer.builder("herald.delivery.latency")
                .description("Time from an event's storing to its write to a connection, for a sample of live deliveries")
                .publishPercentileHistogram()
                .register(registry);
        DistributionSummary queueDepth = DistributionSummary.builder("herald.queue.depth")
                .description("Frames waiting in a connection's queue, sampled from every open connection every few seconds")
                .serviceLevelObjectives(1, 4, 16, 64, 256, 1024, 4096, 16384)
                .register(registry);
        MultiGauge subscriptions = MultiGauge.builder("herald.subscriptions")
                .description("Open subscriptions by selector: the " + TOP_SELECTORS + " most used, the rest summed as other")
                .register(registry);
        Meters meters = new Meters(registry, store, delivery, queueDepth, subscriptions);
        if ("jdbc".equals(store)) {
            meters.commit();
        }
        Meters[] more = Arrays.copyOf(bound, bound.length + 1);
        more[bound.length] = meters;
        bound = more;
        meters.subscriptions.register(rows(topSelectors), false);
    }

    @Override
    public void deliveryLatency(long nanos) {
        for (Meters meters : bound) {
            meters.delivery.record(nanos, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void queueDepth(int frames) {
        for (Meters meters : bound) {
            meters.queueDepth.record(frames);
        }
    }

    @Override
    public synchronized void subscriptions(Map<String, Integer> top, int others) {
        Map<String, Integer> named = new LinkedHashMap<>(top);
        // A selector that is literally "other" joins the rest, so the label keeps one meaning.
        Integer literal = named.remove(OTHER_SELECTORS);
        otherSubscriptions = others + (literal == null ? 0 : literal);
        topSelectors = named;
        List<MultiGauge.Row<?>> rows = rows(named);
        for (Meters meters : bound) {
            meters.subscriptions.register(rows, false);
        }
    }

    @Override
    public void commitLatency(long nanos) {
        for (Meters meters : bound) {
            meters.commit().record(nanos, TimeUnit.NANOSECONDS);
        }
    }

    /** A gauge per named selector, reading the latest sample, and one for the rest. */
    private List<MultiGauge.Row<?>> rows(Map<String, Integer> named) {
        List<MultiGauge.Row<?>> rows = new ArrayList<>(named.size() + 1);
        for (String selector : named.keySet()) {
            rows.add(MultiGauge.Row.of(Tags.of("selector", selector), this,
                    recorder -> recorder.topSelectors.getOrDefault(selector, 0)));
        }
        rows.add(MultiGauge.Row.of(Tags.of("selector", OTHER_SELECTORS), this, recorder -> recorder.otherSubscriptions));
        return rows;
    }

    /** One registry's meters. */
    private static final class Meters {
        final MeterRegistry registry;
        final String store;
        final Timer delivery;
        final DistributionSummary queueDepth;
        final MultiGauge subscriptions;
        private volatile Timer commit;

        Meters(MeterRegistry registry, String store, Timer delivery, DistributionSummary queueDepth, MultiGauge subscriptions) {
            this.registry = registry;
            this.store = store;
            this.delivery = delivery;
            this.queueDepth = queueDepth;
            this.subscriptions = subscriptions;
        }

        /** The commit timer, made when the hub's log is JDBC, or when any other log first reports a commit. */
        Timer commit() {
            Timer timer = commit;
            if (timer == null) {
                timer = Timer.builder("herald.store.commit.latency")
                        .description("Time an append waited for the event log's commit")
                        .tag("store", store)
                        .publishPercentileHistogram()
                        .register(registry);
                commit = timer;
            }
            return timer;
        }
    }
}
