package dev.herald.core;

import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * An {@link EventLog} in this process's memory: a ring of the newest events, bounded by a
 * {@link RetentionPolicy}. History is lost when the process ends.
 *
 * <p>Ids start at the log's creation time in microseconds and count up by one, so a restarted
 * hub never reissues an id a client may still hold: such a client's {@code Last-Event-ID} falls
 * below the new log's horizon and it is told its history expired, instead of silently resuming
 * at the wrong place.
 *
 * <p>Thread-safe: every method holds the log's monitor briefly; no I/O happens under it.
 */
public final class InMemoryEventLog implements EventLog {

    private final RetentionPolicy retention;
    private final InstantSource clock;
    private final Event[] ring;
    private final Map<String, Event> byKey = new HashMap<>();
    /** Index in {@link #ring} of the oldest retained event. */
    private int head;
    private int size;
    private long nextId;
    private long horizon;
    private boolean closed;

    /** A log with the given retention, stamping events with the clock's time. */
    public InMemoryEventLog(RetentionPolicy retention, InstantSource clock) {
        this.retention = Objects.requireNonNull(retention, "retention");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.ring = new Event[retention.maxEvents()];
        this.nextId = Math.max(1, Math.multiplyExact(clock.millis(), 1000L));
        this.horizon = nextId - 1;
    }

    @Override
    public synchronized Event append(Publication publication) {
        Objects.requireNonNull(publication, "publication");
        if (closed) {
            throw new EventLogException("the event log is closed");
        }
        Instant now = clock.instant();
        dropExpired(now);
        if (publication.key() != null) {
            Event existing = byKey.get(publication.key());
            if (existing != null) {
                return existing;
            }
        }
        Event event = new Event(nextId++, now, publication);
        if (size == ring.length) {
            dropOldest();
        }
        ring[(head + size) % ring.length] = event;
        size++;
        if (publication.key() != null) {
            byKey.put(publication.key(), event);
        }
        return event;
    }

    @Override
    public synchronized LogPage readAfter(long afterId, int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative");
        }
        dropExpired(clock.instant());
        long lastId = nextId - 1;
        if (afterId >= lastId || limit == 0) {
            return new LogPage(List.of(), horizon, lastId);
        }
        long first = horizon + 1; // ids are contiguous, so the oldest retained event has this id
        long start = Math.max(afterId + 1, first);
        int count = (int) Math.min(limit, lastId - start + 1);
        int offset = (int) (start - first);
        List<Event> events = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            events.add(ring[(head + offset + i) % ring.length]);
        }
        return new LogPage(events, horizon, lastId);
    }

    @Override
    public synchronized OptionalLong idOfKey(String key) {
        Objects.requireNonNull(key, "key");
        dropExpired(clock.instant());
        Event event = byKey.get(key);
        return event == null ? OptionalLong.empty() : OptionalLong.of(event.id());
    }

    /** How many events the log holds now. */
    public synchronized int size() {
        dropExpired(clock.instant());
        return size;
    }

    @Override
    public synchronized void close() {
        closed = true;
    }

    private void dropExpired(Instant now) {
        Instant cutoff = now.minus(retention.maxAge());
        while (size > 0 && ring[head].time().isBefore(cutoff)) {
            dropOldest();
        }
    }

    private void dropOldest() {
        Event oldest = ring[head];
        ring[head] = null;
        head = (head + 1) % ring.length;
        size--;
        horizon = oldest.id();
        if (oldest.key() != null) {
            byKey.remove(oldest.key(), oldest);
        }
    }
}
