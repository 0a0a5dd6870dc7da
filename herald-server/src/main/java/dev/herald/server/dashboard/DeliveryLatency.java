package dev.herald.server.dashboard;

import dev.herald.server.dashboard.DashboardSnapshot.Latency;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeUnit;

/**
 * Reads the delivery latency percentiles from the Micrometer timer {@value #TIMER}, when the meter
 * registry has one:
 * <ul>
 *   <li>the percentiles it publishes ({@code publishPercentiles(0.5, 0.9, 0.99)}), over its own window;</li>
 *   <li>else an estimate from its histogram ({@code publishPercentileHistogram()}), interpolated within
 *       the bucket a percentile falls in. Prometheus's histograms count since the start, so the
 *       estimate is taken from what the buckets gained over the last {@value #WINDOW} reads (seconds):
 *       recent deliveries only. When that cannot be told (a rolling window dropped old values, or
 *       values fell past the last bucket), it is taken from the histogram as it is.</li>
 * </ul>
 * Without the timer there is nothing to read: the dashboard leaves latency out rather than failing.
 * With it, a percentile nothing was recorded for (no delivery in the window) is left out.
 *
 * <p>Not thread-safe: the dashboard's scheduler thread owns it and reads it once per tick.
 */
final class DeliveryLatency {

    /** The timer's name. */
    static final String TIMER = "herald.delivery.latency";

    /** How many reads back recent deliveries are counted from. */
    static final int WINDOW = 10;
    private static final double[] PERCENTILES = {0.5, 0.9, 0.99};

    private final MeterRegistry registry;
    /** The histograms of the last reads, oldest first, with the timer's count at each. */
    private final Deque<Reading> readings = new ArrayDeque<>();

    private record Reading(CountAtBucket[] buckets, long count) {
    }

    /** @param registry the application's registry, or {@code null} without one */
    DeliveryLatency(MeterRegistry registry) {
        this.registry = registry;
    }

    /**
     * The percentiles now, in milliseconds: {@code null} without the timer; with it, those it can tell
     * (none when nothing was delivered lately).
     */
    Latency read() {
        Timer timer = registry == null ? null : registry.find(TIMER).timer();
        if (timer == null) {
            return null;
        }
        HistogramSnapshot snapshot = timer.takeSnapshot();
        CountAtBucket[] buckets = recent(snapshot.histogramCounts(), snapshot.count());
        Double[] values = new Double[PERCENTILES.length];
        for (int i = 0; i < PERCENTILES.length; i++) {
            values[i] = published(snapshot, PERCENTILES[i]);
            if (values[i] == null) {
                values[i] = estimated(buckets, PERCENTILES[i]);
            }
        }
        return new Latency(values[0], values[1], values[2]);
    }

    /**
     * What the buckets gained over the last reads, when every value the timer counted since is in
     * them; otherwise the buckets as they are.
     */
    private CountAtBucket[] recent(CountAtBucket[] buckets, long count) {
        Reading oldest = readings.peekFirst();
        readings.addLast(new Reading(buckets, count));
        if (readings.size() > WINDOW) {
            readings.removeFirst();
        }
        if (oldest == null || oldest.buckets().length != buckets.length || buckets.length == 0) {
            return buckets;
        }
        CountAtBucket[] gained = new CountAtBucket[buckets.length];
        for (int i = 0; i < buckets.length; i++) {
            double more = buckets[i].count() - oldest.buckets()[i].count();
            if (buckets[i].bucket() != oldest.buckets()[i].bucket() || more < 0) {
                return buckets;
            }
            gained[i] = new CountAtBucket(buckets[i].bucket(), more);
        }
        return gained[gained.length - 1].count() == count - oldest.count() ? gained : buckets;
    }

    private static Double published(HistogramSnapshot snapshot, double percentile) {
        for (ValueAtPercentile value : snapshot.percentileValues()) {
            if (Math.abs(value.percentile() - percentile) < 1e-9) {
                double millis = value.value(TimeUnit.MILLISECONDS);
                return Double.isFinite(millis) ? millis : null;
            }
        }
        return null;
    }

    /**
     * The percentile from cumulative bucket counts (Micrometer's: each counts the values up to its
     * bound), interpolated linearly within its bucket; {@code null} when the buckets counted nothing.
     * Values above the last bound are not counted, so a percentile that falls there reads as the last bound.
     */
    static Double estimated(CountAtBucket[] buckets, double percentile) {
        if (buckets.length == 0 || buckets[buckets.length - 1].count() <= 0) {
            return null;
        }
        double target = percentile * buckets[buckets.length - 1].count();
        double lowerBound = 0;
        double lowerCount = 0;
        for (CountAtBucket bucket : buckets) {
            double bound = bucket.bucket(TimeUnit.MILLISECONDS);
            if (bucket.count() >= target) {
                double inBucket = bucket.count() - lowerCount;
                double fraction = inBucket <= 0 ? 1 : (target - lowerCount) / inBucket;
                return lowerBound + (bound - lowerBound) * fraction;
            }
            lowerBound = bound;
            lowerCount = bucket.count();
        }
        return lowerBound;
    }
}
