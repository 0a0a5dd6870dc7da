package dev.herald.redis;

import dev.herald.core.Event;
import dev.herald.core.EventBus;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The cluster's doorbell: every node's follower reads the shared stream and rings its hub as soon
 * as any node appended, so {@link #announce} has nothing to do. Made by {@link HeraldRedis}.
 */
final class RedisEventBus implements EventBus {

    private final RedisEventLog log;
    private final List<Runnable> registrations = new CopyOnWriteArrayList<>();

    RedisEventBus(RedisEventLog log) {
        this.log = log;
    }

    /** Nothing to do: the follower of every node, this one included, sees the event in the stream. */
    @Override
    public void announce(Event event) {
    }

    @Override
    public Registration listen(Runnable listener) {
        Runnable removal = log.listen(listener);
        registrations.add(removal);
        return () -> {
            registrations.remove(removal);
            removal.run();
        };
    }

    @Override
    public void close() {
        for (Runnable removal : registrations) {
            removal.run();
        }
        registrations.clear();
    }
}
