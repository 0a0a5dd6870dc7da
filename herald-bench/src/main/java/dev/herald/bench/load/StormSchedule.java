package dev.herald.bench.load;

import java.time.Duration;
import java.util.Random;

/**
 * When each subscriber of a reconnect storm drops its connection: all of them once, in an order
 * shuffled with a fixed seed (so neighbours in the source-address blocks do not go together, and
 * two runs go alike), spread uniformly over the window: the {@code k}-th at {@code k * window / n}.
 */
final class StormSchedule {

    private final int[] order;
    private final long windowNanos;

    private StormSchedule(int[] order, long windowNanos) {
        this.order = order;
        this.windowNanos = windowNanos;
    }

    /** {@code count} subscribers over {@code window}, in an order shuffled by {@code seed}. */
    static StormSchedule uniform(int count, Duration window, long seed) {
        if (count < 0 || window.isNegative()) {
            throw new IllegalArgumentException("a storm of " + count + " over " + window);
        }
        int[] order = new int[count];
        for (int i = 0; i < count; i++) {
            order[i] = i;
        }
        Random random = new Random(seed);
        for (int i = count - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        return new StormSchedule(order, window.toNanos());
    }

    /** How many drops the storm has: one per subscriber. */
    int size() {
        return order.length;
    }

    /** How long after the storm's start the {@code k}-th drop is due: in {@code [0, window)}. */
    long offsetNanos(int k) {
        int n = order.length;
        return windowNanos / n * k + windowNanos % n * k / n; // window * k / n, exact and without overflow
    }

    /** The subscriber (its index) the {@code k}-th drop is for. */
    int subscriber(int k) {
        return order[k];
    }
}
