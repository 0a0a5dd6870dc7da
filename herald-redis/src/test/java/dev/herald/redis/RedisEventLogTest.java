package dev.herald.redis;

import dev.herald.core.Event;
import dev.herald.core.EventLog;
import dev.herald.core.LogPage;
import dev.herald.core.Publication;
import dev.herald.core.RetentionPolicy;
import dev.herald.core.testing.EventLogContract;
import dev.herald.core.testing.MutableClock;
import dev.herald.redis.testing.RedisServer;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;

/** The event log contract on a real Redis, each log in a namespace of its own. */
class RedisEventLogTest extends EventLogContract {

    private static final AtomicInteger NAMESPACES = new AtomicInteger();

    @BeforeEach
    void server() {
        RedisServer.shared();
    }

    @Override
    protected EventLog createLog(RetentionPolicy retention, MutableClock clock) {
        HeraldRedis redis = HeraldRedis.builder(RedisServer.shared().uri())
                .namespace("contract-" + NAMESPACES.incrementAndGet())
                .retention(retention)
                .clock(clock)
                // The contract's clock runs minutes ahead of Redis's to age events out.
                .clockTolerance(java.time.Duration.ofDays(1))
                .build();
        return new Closing(redis);
    }

    /** The node's log, closing the whole node with it. */
    private record Closing(HeraldRedis redis) implements EventLog {

        @Override
        public Event append(Publication publication) {
            return redis.eventLog().append(publication);
        }

        @Override
        public CompletableFuture<Event> appendAsync(Publication publication) {
            return redis.eventLog().appendAsync(publication);
        }

        @Override
        public LogPage readAfter(long afterId, int limit) {
            return redis.eventLog().readAfter(afterId, limit);
        }

        @Override
        public OptionalLong idOfKey(String key) {
            return redis.eventLog().idOfKey(key);
        }

        @Override
        public dev.herald.core.LogHealth health() {
            return redis.eventLog().health();
        }

        @Override
        public void close() {
            redis.close();
        }
    }
}
