package dev.herald.bench.load;

import java.util.concurrent.locks.LockSupport;

/**
 * When the events of a publisher at a fixed rate are due, and where each goes: event {@code i}
 * (from 0) is due {@code i / rate} seconds after the start, belongs to topic {@code i mod topics}
 * and travels on connection {@code topic mod connections}, so a topic's events reach the server in
 * order on one connection. The paced publisher follows it; both modes count what was offered by it.
 *
 * @param rate        events per second, above 0
 * @param topics      topics, events spread round robin over them
 * @param connections publisher connections, at most one per topic
 */
record PublishSchedule(double rate, int topics, int connections) {

    /** Below this much time left, a wait spins instead of parking: a park can overshoot by ~50 µs. */
    static final long SPIN_NANOS = 50_000;

    PublishSchedule {
        if (!(rate > 0) || Double.isInfinite(rate)) {
            throw new IllegalArgumentException("a schedule needs a rate above 0: " + rate);
        }
        if (topics < 1 || connections < 1 || connections > topics) {
            throw new IllegalArgumentException("1 to " + topics + " connections for " + topics + " topics: " + connections);
        }
    }

    /** How long after the start event {@code event} is due. */
    long dueNanos(long event) {
        return Math.round(event * 1e9 / rate);
    }

    /** How many events fall due in the first {@code durationNanos}: the events offered in that time. */
    long eventsWithin(long durationNanos) {
        if (durationNanos <= 0) {
            return 0;
        }
        long count = (long) Math.ceil(durationNanos * rate / 1e9);
        while (count > 0 && dueNanos(count - 1) >= durationNanos) {
            count--;
        }
        while (dueNanos(count) < durationNanos) {
            count++;
        }
        return count;
    }

    /** The topic (its index) of event {@code event}. */
    int topic(long event) {
        return (int) (event % topics);
    }

    /** The connection (its index) that carries every event of the topic. */
    int connection(int topic) {
        return topic % connections;
    }

    /**
     * Returns at {@code deadlineNanos} ({@link System#nanoTime()}) or just after, never before:
     * parks until about {@link #SPIN_NANOS} before it, then spins. Returns at once if it is past.
     */
    static void waitUntil(long deadlineNanos) {
        while (true) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                return;
            }
            if (left > SPIN_NANOS) {
                LockSupport.parkNanos(left - SPIN_NANOS);
            } else {
                Thread.onSpinWait();
            }
        }
    }
}
