package dev.herald.redis;

import dev.herald.core.DeliveryCursors;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivery cursors shared by the cluster, in one Redis hash, so a user's {@code since=last} stream
 * continues on any node. Positions are merged in memory and written at most once per flush
 * interval by one script that never lowers a cursor; a flush that fails is retried with the next.
 */
public final class RedisDeliveryCursors implements DeliveryCursors {

    private static final Logger log = LoggerFactory.getLogger(RedisDeliveryCursors.class);
    private static final Script RAISE = Script.load("cursors");

    private final RedisAsyncCommands<String, String> redis;
    private final String hash;
    private final Duration timeout;
    private final Map<String, Long> pending = new ConcurrentHashMap<>();
    private final ScheduledExecutorService flusher;
    private volatile boolean failing;

    RedisDeliveryCursors(RedisAsyncCommands<String, String> redis, Keys keys, Duration flushInterval, Duration timeout) {
        this.redis = redis;
        this.hash = keys.cursors();
        this.timeout = timeout;
        this.flusher = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("herald-redis-cursors").daemon(true).factory());
        long every = Math.max(1, flushInterval.toMillis());
        flusher.scheduleWithFixedDelay(this::flush, every, every, TimeUnit.MILLISECONDS);
    }

    @Override
    public void delivered(String userId, long position) {
        pending.merge(userId, position, Math::max);
    }

    @Override
    public OptionalLong lastDelivered(String userId) {
        long best = pending.getOrDefault(userId, 0L);
        try {
            String stored = redis.hget(hash, userId).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (stored != null) {
                best = Math.max(best, Long.parseLong(stored));
            }
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new dev.herald.core.EventLogException("Redis could not read the delivery cursor: " + e, e);
        }
        return best > 0 ? OptionalLong.of(best) : OptionalLong.empty();
    }

    /** Writes the merged positions; what fails stays pending. */
    synchronized void flush() {
        if (pending.isEmpty()) {
            return;
        }
        Map<String, Long> batch = new java.util.HashMap<>(pending);
        List<String> args = new ArrayList<>(batch.size() * 2);
        batch.forEach((user, position) -> {
            args.add(user);
            args.add(Long.toString(position));
        });
        try {
            RAISE.run(redis, new String[] {hash}, args.toArray(String[]::new)).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            // Only what was written leaves: a position raised meanwhile stays for the next flush.
            batch.forEach((user, position) -> pending.remove(user, position));
            if (failing) {
                failing = false;
                log.info("Delivery cursors are written to Redis again");
            }
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            if (!failing) {
                failing = true;
                log.warn("Could not write delivery cursors to Redis; retrying: {}", e.toString());
            }
        }
    }

    /** Writes what is pending, then stops. Safe to call twice. */
    @Override
    public void close() {
        if (flusher.isShutdown()) {
            return;
        }
        flusher.shutdown();
        try {
            flusher.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        flush();
    }
}
