package dev.herald.http;

import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A token bucket per publisher: each may publish {@code perSecond} events a second on average,
 * in bursts of up to {@code burst}. Thread-safe; the buckets of publishers that stopped are
 * dropped once their bucket is full again, so memory stays bounded by the publishers active in the
 * last few seconds.
 */
final class PublishRateLimiter {

    private static final int SWEEP_ABOVE = 10_000;

    private final double perSecond;
    private final double burst;
    private final InstantSource clock;
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    PublishRateLimiter(double perSecond, double burst, InstantSource clock) {
        this.perSecond = perSecond;
        this.burst = Math.max(1, burst);
        this.clock = clock;
    }

    /** Whether limiting is on at all. */
    boolean enabled() {
        return perSecond > 0;
    }

    /**
     * Takes one event's token from the publisher's bucket.
     *
     * @throws RateLimitedException if the bucket is empty; nothing is taken
     */
    void acquire(String publisher) {
        if (!enabled()) {
            return;
        }
        long now = clock.millis();
        Bucket bucket = buckets.computeIfAbsent(publisher, key -> new Bucket(burst, now));
        double missing;
        synchronized (bucket) {
            bucket.refill(now, perSecond, burst);
            if (bucket.tokens >= 1) {
                bucket.tokens -= 1;
                missing = 0;
            } else {
                missing = 1 - bucket.tokens;
            }
        }
        if (buckets.size() > SWEEP_ABOVE) {
            sweep(now);
        }
        if (missing > 0) {
            throw new RateLimitedException(perSecond, Duration.ofMillis((long) Math.ceil(missing / perSecond * 1000)));
        }
    }

    private void sweep(long now) {
        buckets.entrySet().removeIf(entry -> {
            Bucket bucket = entry.getValue();
            synchronized (bucket) {
                bucket.refill(now, perSecond, burst);
                return bucket.tokens >= burst;
            }
        });
    }

    /** Tokens and when they were last counted; guarded by its own monitor. */
    private static final class Bucket {
        double tokens;
        long updated;

        Bucket(double tokens, long updated) {
            this.tokens = tokens;
            this.updated = updated;
        }

        void refill(long now, double perSecond, double burst) {
            if (now > updated) {
                tokens = Math.min(burst, tokens + (now - updated) * perSecond / 1000.0);
                updated = now;
            }
        }
    }
}
