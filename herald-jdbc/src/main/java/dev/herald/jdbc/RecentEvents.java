package dev.herald.jdbc;

import dev.herald.core.Event;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The newest committed events, so reads near the head of the log (the hub's dispatcher reads after
 * every publish) do not reach the database, and the highest committed id ({@link #last()}).
 *
 * <p>Holds a contiguous run of ids ending at {@link #last()}. Only the committer thread adds
 * events, and only after their transaction committed, so the cache never shows an event the
 * database could not; readers copy out of it under its monitor, briefly.
 */
final class RecentEvents {

    private final Event[] ring;
    /** Index in {@link #ring} of the oldest event held. */
    private int head;
    private int size;
    /** The highest committed id; written under the monitor, read without it. */
    private volatile long last;

    RecentEvents(int capacity, long last) {
        this.ring = new Event[capacity];
        this.last = last;
    }

    /** The highest committed id: every id up to it is committed (or gone below the horizon). */
    long last() {
        return last;
    }

    /** Forgets every event and moves the committed position to {@code newLast}. Committer thread only. */
    synchronized void reset(long newLast) {
        Arrays.fill(ring, null);
        head = 0;
        size = 0;
        last = newLast;
    }

    /**
     * Makes committed events readable and raises {@link #last()} to {@code newLast}. The events
     * are the ids right after {@link #last()}, in order. Committer thread only, after the commit.
     */
    synchronized void publish(List<Event> events, long newLast) {
        if (!events.isEmpty() && events.getFirst().id() != last + 1) {
            Arrays.fill(ring, null);
            head = 0;
            size = 0;
        }
        if (ring.length > 0) {
            for (Event event : events) {
                if (size == ring.length) {
                    ring[head] = null;
                    head = (head + 1) % ring.length;
                    size--;
                }
                ring[(head + size) % ring.length] = event;
                size++;
            }
        }
        last = Math.max(last, newLast);
    }

    /**
     * The events with ids in {@code (after, through]}, oldest first, at most {@code limit}; or
     * {@code null} if the cache does not hold the id right after {@code after}. {@code through}
     * is at most {@link #last()}.
     */
    synchronized List<Event> after(long after, long through, int limit) {
        if (after >= through) {
            return List.of();
        }
        long oldest = last - size + 1;
        if (size == 0 || after + 1 < oldest || through > last) {
            return null;
        }
        int count = (int) Math.min(limit, through - after);
        int offset = (int) (after + 1 - oldest);
        List<Event> events = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            events.add(ring[(head + offset + i) % ring.length]);
        }
        return events;
    }

    /**
     * Age retention for what the cache holds: the highest id {@code h >= horizon} such that the
     * cache holds every id in {@code (horizon, h]} and each of those events is older than
     * {@code cutoff}. Stops at the first event that is not, as the in-memory log does.
     */
    synchronized long expiredThrough(long horizon, Instant cutoff) {
        long oldest = last - size + 1;
        if (size == 0 || horizon + 1 < oldest || horizon >= last) {
            return horizon;
        }
        long id = horizon;
        int index = (int) (horizon + 1 - oldest);
        while (index < size && ring[(head + index) % ring.length].time().isBefore(cutoff)) {
            id++;
            index++;
        }
        return id;
    }
}
