package dev.herald.redis;

import dev.herald.core.DeliveryCursors;
import dev.herald.core.testing.DeliveryCursorsContract;
import dev.herald.redis.testing.RedisServer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** The delivery cursors contract on a real Redis, each store in a namespace of its own. */
class RedisDeliveryCursorsTest extends DeliveryCursorsContract {

    private static final AtomicInteger NAMESPACES = new AtomicInteger();
    private final List<HeraldRedis> nodes = new ArrayList<>();

    @BeforeEach
    void server() {
        RedisServer.shared();
    }

    @AfterEach
    void closeNodes() {
        nodes.forEach(HeraldRedis::close);
    }

    @Override
    protected DeliveryCursors createCursors() {
        HeraldRedis redis = HeraldRedis.builder(RedisServer.shared().uri())
                .namespace("cursors-" + NAMESPACES.incrementAndGet())
                .build();
        nodes.add(redis);
        return redis.deliveryCursors();
    }

    @Override
    protected void flushed(DeliveryCursors cursors) {
        ((RedisDeliveryCursors) cursors).flush();
    }
}
