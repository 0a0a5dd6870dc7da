package dev.herald.bench.load;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.HdrHistogram.Histogram;

/**
 * Publish-to-receive latencies by when each event was sent: a histogram per slice of the run (and
 * per recording thread, merged when read, so recording takes no lock), so that the phases of a run
 * (before a reconnect storm, after it) can be read apart. Two significant digits, to keep the
 * slices small.
 */
final class LatencyTimeline {

    private final long originNanos;
    private final long sliceNanos;
    private final int slices;
    private final Queue<Histogram[]> all = new ConcurrentLinkedQueue<>();
    private final ThreadLocal<Histogram[]> local;

    /**
     * @param originNanos the {@link System#nanoTime()} the first slice starts at
     * @param sliceNanos  the length of a slice
     * @param slices      how many: events sent after the last are not recorded here
     */
    LatencyTimeline(long originNanos, long sliceNanos, int slices) {
        this.originNanos = originNanos;
        this.sliceNanos = sliceNanos;
        this.slices = slices;
        this.local = ThreadLocal.withInitial(() -> {
            Histogram[] mine = new Histogram[slices];
            all.add(mine);
            return mine;
        });
    }

    /** Records the latency of an event sent at {@code sentNanos}. On the receiving thread. */
    void record(long sentNanos, long micros) {
        long slice = Math.floorDiv(sentNanos - originNanos, sliceNanos);
        if (slice < 0 || slice >= slices) {
            return;
        }
        Histogram[] mine = local.get();
        Histogram histogram = mine[(int) slice];
        if (histogram == null) {
            histogram = mine[(int) slice] = new Histogram(Latencies.MAX_MICROS, 2);
        }
        histogram.recordValue(Math.max(0, Math.min(micros, Latencies.MAX_MICROS)));
    }

    /**
     * The latencies of events sent in the whole slices that lie between the two times
     * ({@link System#nanoTime()}): from the first slice starting at or after {@code fromNanos} to
     * the last ending at or before {@code untilNanos}. Call after recording has stopped.
     */
    Histogram between(long fromNanos, long untilNanos) {
        long first = Math.max(0, ceilDiv(fromNanos - originNanos, sliceNanos));
        long last = Math.min(slices, Math.floorDiv(untilNanos - originNanos, sliceNanos)); // exclusive
        Histogram merged = new Histogram(Latencies.MAX_MICROS, 2);
        for (Histogram[] mine : all) {
            for (long slice = first; slice < last; slice++) {
                if (mine[(int) slice] != null) {
                    merged.add(mine[(int) slice]);
                }
            }
        }
        return merged;
    }

    private static long ceilDiv(long x, long y) {
        return -Math.floorDiv(-x, y);
    }
}
