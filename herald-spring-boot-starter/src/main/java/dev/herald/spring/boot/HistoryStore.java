package dev.herald.spring.boot;

import dev.herald.core.DeliveryCursors;
import dev.herald.core.EventBus;
import dev.herald.core.EventLog;
import dev.herald.core.Hub;
import dev.herald.core.InMemoryEventLog;
import dev.herald.core.MetricsRecorder;
import dev.herald.core.Presence;
import dev.herald.core.RetentionPolicy;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import javax.sql.DataSource;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.env.Environment;

/**
 * The event history and the delivery cursors chosen by {@code herald.history.*} (or, in cluster
 * mode, {@code herald.redis.*}), with whatever they run on (a connection pool, a Redis client),
 * closed together and in order: cursors, log, then the rest. In cluster mode it also brings the
 * bus that wakes the hub and the cluster's presence.
 */
public final class HistoryStore implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HistoryStore.class);

    private final EventLog eventLog;
    private final DeliveryCursors cursors;
    private final List<AutoCloseable> resources;
    private final EventBus eventBus;
    private final java.util.function.Function<Hub, Presence> presence;

    HistoryStore(EventLog eventLog, DeliveryCursors cursors, List<AutoCloseable> resources) {
        this(eventLog, cursors, resources, null, Presence::local);
    }

    HistoryStore(EventLog eventLog, DeliveryCursors cursors, List<AutoCloseable> resources, EventBus eventBus,
            java.util.function.Function<Hub, Presence> presence) {
        this.eventLog = eventLog;
        this.cursors = cursors;
        this.resources = resources;
        this.eventBus = eventBus;
        this.presence = presence;
    }

    static HistoryStore open(HeraldProperties properties, String redisUrl, Supplier<DataSource> applicationDataSource,
            InstantSource clock, MetricsRecorder recorder) {
        HeraldProperties.History history = properties.getHistory();
        RetentionPolicy retention = RetentionPolicy.of(history.getMaxEvents(), history.getMaxAge());
        if (redisUrl != null) {
            if (history.getStore() != null) {
                throw new IllegalStateException("a cluster keeps its history in Redis: unset herald.history.store="
                        + history.getStore().name().toLowerCase() + " or the Redis URL");
            }
            try {
                Class.forName("dev.herald.redis.HeraldRedis", false, HistoryStore.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException("herald.redis.url (cluster mode) needs dev.herald:herald-redis on the class path", e);
            }
            return RedisHistory.open(properties.getRedis(), redisUrl, retention, clock);
        }
        HeraldProperties.History.Store store = history.effectiveStore();
        if (store == HeraldProperties.History.Store.MEMORY) {
            return new HistoryStore(new InMemoryEventLog(retention, clock), DeliveryCursors.inMemory(), new ArrayList<>());
        }
        try {
            Class.forName("dev.herald.jdbc.JdbcEventLog", false, HistoryStore.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("herald.history.store=" + store.name().toLowerCase()
                    + " needs dev.herald:herald-jdbc (and a JDBC driver) on the class path", e);
        }
        return JdbcHistory.open(properties, store, retention, applicationDataSource, clock, recorder);
    }

    /**
     * The Redis URL for cluster mode: {@code herald.redis.url}; or, with
     * {@code herald.redis.spring-data=true}, Spring's {@code spring.data.redis.url}, else one built
     * from {@code spring.data.redis.host} (with port, username, password, database and
     * ssl.enabled); {@code null} when none applies: a single node.
     *
     * @throws IllegalStateException for Spring Redis settings Herald cannot follow (Sentinel,
     *                               Cluster, SSL bundles): name them in herald.redis.url instead
     */
    public static String redisUrl(HeraldProperties properties, Environment environment) {
        HeraldProperties.Redis redis = properties.getRedis();
        if (redis.getUrl() != null && !redis.getUrl().isBlank()) {
            return redis.getUrl().trim();
        }
        if (!redis.isSpringData()) {
            return null;
        }
        for (String unsupported : List.of("spring.data.redis.sentinel.master", "spring.data.redis.cluster.nodes",
                "spring.data.redis.ssl.bundle")) {
            if (environment.getProperty(unsupported) != null) {
                throw new IllegalStateException(unsupported + " is set, which Herald does not follow: give Herald its Redis as"
                        + " herald.redis.url (redis-sentinel://host:port#master for Sentinel, rediss:// for TLS)");
            }
        }
        String url = environment.getProperty("spring.data.redis.url");
        if (url != null && !url.isBlank()) {
            return url.trim();
        }
        String host = environment.getProperty("spring.data.redis.host");
        if (host == null || host.isBlank()) {
            return null;
        }
        host = host.trim();
        boolean ssl = environment.getProperty("spring.data.redis.ssl.enabled", Boolean.class, false);
        StringBuilder built = new StringBuilder(ssl ? "rediss://" : "redis://");
        String username = environment.getProperty("spring.data.redis.username");
        String password = environment.getProperty("spring.data.redis.password");
        if (password != null && !password.isEmpty()) {
            if (username != null && !username.isEmpty()) {
                built.append(encode(username));
            }
            built.append(':').append(encode(password)).append('@');
        }
        built.append(host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host);
        built.append(':').append(environment.getProperty("spring.data.redis.port", Integer.class, 6379));
        built.append('/').append(environment.getProperty("spring.data.redis.database", Integer.class, 0));
        return built.toString();
    }

    private static String encode(String part) {
        return URLEncoder.encode(part, StandardCharsets.UTF_8).replace("+", "%20");
    }

    public EventLog eventLog() {
        return eventLog;
    }

    public DeliveryCursors cursors() {
        return cursors;
    }

    /** The bus that wakes the hub when another node published, or {@code null} on a single node. */
    public EventBus eventBus() {
        return eventBus;
    }

    /** Presence for this hub: the cluster's in cluster mode, else the hub's own connections. */
    public Presence presence(Hub hub) {
        return presence.apply(hub);
    }

    @Override
    public void close() {
        closeQuietly(cursors);
        closeQuietly(eventLog);
        for (AutoCloseable resource : resources) {
            closeQuietly(resource);
        }
    }

    static void closeQuietly(AutoCloseable resource) {
        try {
            resource.close();
        } catch (Exception e) {
            log.warn("Could not close {}: {}", resource, e.toString());
        }
    }
}
