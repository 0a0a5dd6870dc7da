package dev.herald.jdbc;

import dev.herald.core.RetentionPolicy;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the log knows about its own bounds, shared by the reading threads, the committer and the
 * retention thread: the committed position (in {@link RecentEvents}) and the horizon.
 *
 * <p>Two horizons: the <em>persisted</em> one is stored in {@code herald_log_state} and is always
 * raised there before any row at or below it is deleted. The <em>effective</em> one, which readers
 * see, may be higher: it also applies the retention policy at read time (the count bound, and the
 * age bound for events still in the cache), so a read never returns an event that retention has
 * already dropped even though the background purge has not deleted its row yet. Both only rise.
 */
final class LogState {

    final RecentEvents recent;
    private final RetentionPolicy retention;
    private final InstantSource clock;
    private final AtomicLong horizon;
    private volatile long persistedHorizon;

    LogState(RecentEvents recent, RetentionPolicy retention, InstantSource clock, long persistedHorizon) {
        this.recent = recent;
        this.retention = retention;
        this.clock = clock;
        this.persistedHorizon = persistedHorizon;
        this.horizon = new AtomicLong(persistedHorizon);
    }

    /** The highest committed id. */
    long lastCommitted() {
        return recent.last();
    }

    /** The effective horizon, after applying retention as of now. Any thread. */
    long horizon() {
        long last = recent.last();
        long current = horizon.get();
        long candidate = Math.max(current, last - retention.maxEvents());
        candidate = recent.expiredThrough(candidate, clock.instant().minus(retention.maxAge()));
        if (candidate > current) {
            return horizon.accumulateAndGet(candidate, Math::max);
        }
        return current;
    }

    /** The horizon stored in the database, as far as this log knows. */
    long persistedHorizon() {
        return persistedHorizon;
    }

    /** Records that the database now stores {@code value} as the horizon. Retention thread only. */
    void persisted(long value) {
        if (value > persistedHorizon) {
            persistedHorizon = value;
        }
        horizon.accumulateAndGet(value, Math::max);
    }
}
