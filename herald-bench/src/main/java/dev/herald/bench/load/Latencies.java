package dev.herald.bench.load;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.HdrHistogram.Histogram;

/**
 * Publish-to-receive latencies in microseconds: one HdrHistogram per recording thread (the event
 * loops), merged when the run ends, so recording takes no lock.
 */
final class Latencies {

    static final long MAX_MICROS = 120_000_000L;

    private final Queue<Histogram> all = new ConcurrentLinkedQueue<>();
    private final ThreadLocal<Histogram> local = ThreadLocal.withInitial(() -> {
        Histogram histogram = new Histogram(MAX_MICROS, 3);
        all.add(histogram);
        return histogram;
    });

    void record(long micros) {
        local.get().recordValue(Math.max(0, Math.min(micros, MAX_MICROS)));
    }

    /** A merged copy; call after recording has stopped. */
    Histogram merged() {
        Histogram merged = new Histogram(MAX_MICROS, 3);
        for (Histogram histogram : all) {
            merged.add(histogram);
        }
        return merged;
    }
}
