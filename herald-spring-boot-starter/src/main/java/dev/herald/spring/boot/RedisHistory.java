package dev.herald.spring.boot;

import dev.herald.core.RetentionPolicy;
import dev.herald.redis.HeraldRedis;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Cluster mode on herald-redis; loaded only when a Redis URL is configured, so herald-redis stays optional. */
final class RedisHistory {

    private static final Logger log = LoggerFactory.getLogger(RedisHistory.class);

    private RedisHistory() {
    }

    static HistoryStore open(HeraldProperties.Redis settings, String url, RetentionPolicy retention, InstantSource clock) {
        HeraldRedis.Builder builder = HeraldRedis.builder(url)
                .namespace(settings.getNamespace())
                .retention(retention)
                .clock(clock)
                .timeout(settings.getTimeout())
                .presenceInterval(settings.getPresenceInterval());
        if (settings.getNode() != null && !settings.getNode().isBlank()) {
            builder.node(settings.getNode());
        }
        HeraldRedis redis = builder.build();
        log.info("Cluster mode: node {} on {} (namespace {})", redis.node(), redact(url), settings.getNamespace());
        List<AutoCloseable> owned = new ArrayList<>();
        owned.add(redis);
        return new HistoryStore(redis.eventLog(), redis.deliveryCursors(), owned, redis.eventBus(), redis::presence);
    }

    /** Where the URL points, without credentials, for logs. */
    static String redact(String url) {
        io.lettuce.core.RedisURI uri = io.lettuce.core.RedisURI.create(url);
        if (uri.getHost() == null) {
            return "Redis Sentinel master " + uri.getSentinelMasterId();
        }
        return (uri.isSsl() ? "rediss://" : "redis://") + uri.getHost() + ":" + uri.getPort() + "/" + uri.getDatabase();
    }
}
