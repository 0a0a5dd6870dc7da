package dev.herald.redis;

import dev.herald.core.Event;
import dev.herald.core.LogPage;
import java.util.ArrayList;
import java.util.List;

/**
 * The newest events of the stream, as this node's follower read them, so the dispatcher and
 * reconnecting clients near the head of the log do not go to Redis.
 *
 * <p>Holds every event with an id above {@link #start} up to {@link #last}, contiguously: the
 * follower adds pages in stream order, and starts afresh when Redis's horizon jumped past what it
 * had. The follower writes; any thread reads, under the monitor, briefly.
 */
final class Tail {

    private final Event[] ring;
    private int head;
    private int size;
    /** Every event after this position and up to {@link #last} is held. */
    private long start;
    private long last;
    /** The stream's horizon when the follower last read it: a lower bound of the true one. */
    private long horizon;

    Tail(int capacity, long horizon, long last) {
        this.ring = new Event[Math.max(1, capacity)];
        restart(horizon, last);
    }

    /** Forgets every event: holds nothing, and will hold what comes after {@code position}. */
    synchronized void restart(long newHorizon, long position) {
        java.util.Arrays.fill(ring, null);
        head = 0;
        size = 0;
        start = position;
        last = position;
        horizon = newHorizon;
    }

    /**
     * Adds events that follow {@link #last} in the stream, in order, and what the stream's horizon
     * was. {@code upTo} is the last entry read: entries skipped as not events are passed over too.
     */
    synchronized void add(List<Event> events, long newHorizon, long upTo) {
        horizon = Math.max(horizon, newHorizon);
        for (Event event : events) {
            if (event.id() <= last) {
                continue;
            }
            if (size == ring.length) {
                start = ring[head].id();
                ring[head] = null;
                head = (head + 1) % ring.length;
                size--;
            }
            ring[(head + size) % ring.length] = event;
            size++;
            last = event.id();
        }
        last = Math.max(last, upTo);
    }

    synchronized long last() {
        return last;
    }

    /**
     * Events after {@code afterId}, or {@code null} when this tail cannot answer for sure: it has
     * not yet seen {@code mustHave} (an id this node already revealed), or the reader is before
     * the events it holds, or after them.
     *
     * @param oldestMillis events appended before this time are past retention and are dropped first
     */
    synchronized LogPage read(long afterId, int limit, long mustHave, long oldestMillis) {
        if (last < mustHave) {
            return null;
        }
        while (size > 0 && StreamIds.millis(ring[head].id()) < oldestMillis) {
            start = ring[head].id();
            ring[head] = null;
            head = (head + 1) % ring.length;
            size--;
        }
        if (afterId < start || afterId > last) {
            return null;
        }
        int from = firstAfter(afterId);
        int count = Math.min(limit, size - from);
        List<Event> events = new ArrayList<>(Math.max(0, count));
        for (int i = 0; i < count; i++) {
            events.add(ring[(head + from + i) % ring.length]);
        }
        return new LogPage(events, Math.min(horizon, afterId), last);
    }

    /** The index (from the head) of the first event with an id above {@code afterId}. */
    private int firstAfter(long afterId) {
        int low = 0;
        int high = size;
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (ring[(head + mid) % ring.length].id() <= afterId) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        return low;
    }
}
