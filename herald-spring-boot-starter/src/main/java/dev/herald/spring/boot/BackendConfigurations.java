package dev.herald.spring.boot;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.herald.core.DeliveryCursors;
import dev.herald.core.EventBus;
import dev.herald.core.EventLog;
import dev.herald.core.Hub;
import dev.herald.core.InMemoryEventLog;
import dev.herald.core.MetricsRecorder;
import dev.herald.core.Presence;
import dev.herald.core.RetentionPolicy;
import dev.herald.jdbc.JdbcDeliveryCursors;
import dev.herald.jdbc.JdbcEventLog;
import dev.herald.redis.HeraldRedis;
import dev.herald.spring.boot.ConditionalOnBackend.Backend;
import java.time.InstantSource;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.DependsOn;
import org.springframework.core.env.Environment;

/**
 * The hub's backends: one configuration each, imported by {@link HeraldAutoConfiguration} in the
 * order declared here, so that the one selected ({@link ConditionalOnBackend}) registers its
 * {@link EventLog}, {@link DeliveryCursors}, {@link EventBus} and {@link Presence} before
 * {@link Memory} fills in whatever is still missing. A backend stands aside entirely when the
 * application defines its own {@code EventLog}; each of its beans stands aside for the
 * application's own of that type.
 *
 * <p>A backend is closed with the context after the hub that uses it, in the order its beans
 * depend on each other: cursors, then log, then what they run on (a pool, a Redis client).
 *
 * <p>A backend selected without its module ({@code herald-redis}, {@code herald-jdbc}) fails
 * start-up with a message saying what to add, rather than running on memory.
 */
final class BackendConfigurations {

    private static final Logger log = LoggerFactory.getLogger(BackendConfigurations.class);

    private BackendConfigurations() {
    }

    /** Cluster mode: history, bus, cursors and presence shared by every node on one Redis. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnBackend(Backend.REDIS)
    @ConditionalOnClass(name = "dev.herald.redis.HeraldRedis")
    @ConditionalOnMissingBean(EventLog.class)
    static class Redis {

        /** The connection to the cluster's Redis; closing it closes presence, cursors, bus, log and client, in that order. */
        @Bean
        @ConditionalOnMissingBean
        HeraldRedis heraldRedis(HeraldProperties properties, Environment environment, ObjectProvider<InstantSource> clock) {
            refuseHistoryStore(properties);
            String url = ClusterMode.redisUrl(properties, environment);
            HeraldProperties.Redis settings = properties.getRedis();
            HeraldRedis.Builder builder = HeraldRedis.builder(url)
                    .namespace(settings.getNamespace())
                    .retention(retention(properties))
                    .clock(clock.getIfAvailable(InstantSource::system))
                    .timeout(settings.getTimeout())
                    .presenceInterval(settings.getPresenceInterval());
            if (settings.getNode() != null && !settings.getNode().isBlank()) {
                builder.node(settings.getNode());
            }
            HeraldRedis redis = builder.build();
            log.info("Cluster mode: node {} on {} (namespace {})", redis.node(), redact(url), settings.getNamespace());
            return redis;
        }

        /** Closed by {@link #heraldRedis}. */
        @Bean(destroyMethod = "")
        @ConditionalOnMissingBean
        EventLog heraldEventLog(HeraldRedis redis) {
            return redis.eventLog();
        }

        /** Closed by {@link #heraldRedis}. */
        @Bean(destroyMethod = "")
        @ConditionalOnMissingBean
        DeliveryCursors heraldDeliveryCursors(HeraldRedis redis) {
            return redis.deliveryCursors();
        }

        /** Wakes the hub when any node appended. Closed by {@link #heraldRedis}. */
        @Bean(destroyMethod = "")
        @ConditionalOnMissingBean
        EventBus heraldEventBus(HeraldRedis redis) {
            return redis.eventBus();
        }

        /** Who is connected to any node. Closed by {@link #heraldRedis}. */
        @Bean(destroyMethod = "")
        @ConditionalOnMissingBean
        Presence heraldPresence(HeraldRedis redis, Hub hub) {
            return redis.presence(hub);
        }

        /** Where the URL points, without credentials, for logs. */
        private static String redact(String url) {
            io.lettuce.core.RedisURI uri = io.lettuce.core.RedisURI.create(url);
            if (uri.getHost() == null) {
                return "Redis Sentinel master " + uri.getSentinelMasterId();
            }
            return (uri.isSsl() ? "rediss://" : "redis://") + uri.getHost() + ":" + uri.getPort() + "/" + uri.getDatabase();
        }
    }

    /** Cluster mode without herald-redis on the class path: the log cannot be made, and says why. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnBackend(Backend.REDIS)
    @ConditionalOnMissingClass("dev.herald.redis.HeraldRedis")
    @ConditionalOnMissingBean(EventLog.class)
    static class RedisModuleMissing {

        @Bean
        EventLog heraldEventLog(HeraldProperties properties) {
            refuseHistoryStore(properties);
            throw new IllegalStateException("herald.redis.url (cluster mode) needs dev.herald:herald-redis on the class path");
        }
    }

    /**
     * History and delivery cursors in a database ({@code herald.history.store=h2|jdbc}); the bus and
     * presence are this node's ({@link Memory}).
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnBackend(Backend.JDBC)
    @ConditionalOnClass(name = "dev.herald.jdbc.JdbcEventLog")
    @ConditionalOnMissingBean(EventLog.class)
    static class Jdbc {

        /** Closed after the log and the cursors, which depend on it. */
        @Bean
        @ConditionalOnMissingBean
        Database heraldHistoryDatabase(HeraldProperties properties, ObjectProvider<DataSource> applicationDataSource) {
            return Database.open(properties, applicationDataSource);
        }

        @Bean
        @ConditionalOnMissingBean
        EventLog heraldEventLog(Database database, HeraldProperties properties, ObjectProvider<InstantSource> clock,
                ObjectProvider<MetricsRecorder> recorder) {
            RetentionPolicy retention = retention(properties);
            EventLog eventLog = JdbcEventLog.builder(database.dataSource())
                    .retention(retention)
                    .clock(clock.getIfAvailable(InstantSource::system))
                    .recorder(recorder.getIfUnique(() -> MetricsRecorder.NONE))
                    .build();
            log.info("Event history in {} (keeping up to {} events for {})", database.where(), retention.maxEvents(),
                    retention.maxAge());
            return eventLog;
        }

        /** Depends on the log so that it is closed before it: its last positions are written while the log still runs. */
        @Bean
        @ConditionalOnMissingBean
        @DependsOn("heraldEventLog")
        DeliveryCursors heraldDeliveryCursors(Database database, ObjectProvider<InstantSource> clock) {
            return JdbcDeliveryCursors.builder(database.dataSource()).clock(clock.getIfAvailable(InstantSource::system)).build();
        }

        /**
         * The database of the history: a pool of Herald's own (H2 in {@code herald.data-dir}, or
         * {@code herald.history.jdbc.url}), closed with it, or the application's {@code DataSource},
         * which the application closes. Not a {@code DataSource} bean, so that it never stands in
         * for the application's.
         */
        static final class Database implements AutoCloseable {

            private final DataSource dataSource;
            private final String where;
            private final HikariDataSource ownPool;

            private Database(DataSource dataSource, String where, HikariDataSource ownPool) {
                this.dataSource = dataSource;
                this.where = where;
                this.ownPool = ownPool;
            }

            static Database open(HeraldProperties properties, ObjectProvider<DataSource> applicationDataSource) {
                HeraldProperties.History.Jdbc jdbc = properties.getHistory().getJdbc();
                if (properties.getHistory().effectiveStore() == HeraldProperties.History.Store.H2) {
                    HikariDataSource pool = JdbcEventLog.h2FileDataSource(properties.getDataDir());
                    return new Database(pool, "H2 in " + properties.getDataDir().toAbsolutePath().normalize(), pool);
                }
                if (jdbc.getUrl() != null && !jdbc.getUrl().isBlank()) {
                    HikariConfig config = new HikariConfig();
                    config.setPoolName("herald-jdbc");
                    config.setJdbcUrl(jdbc.getUrl());
                    config.setUsername(jdbc.getUsername());
                    config.setPassword(jdbc.getPassword());
                    config.setMaximumPoolSize(jdbc.getMaxPoolSize());
                    config.setMinimumIdle(1);
                    config.setConnectionTimeout(Math.max(250, jdbc.getConnectionTimeout().toMillis()));
                    HikariDataSource pool = new HikariDataSource(config);
                    return new Database(pool, redact(jdbc.getUrl()), pool);
                }
                DataSource application = applicationDataSource.getIfUnique();
                if (application == null) {
                    throw new IllegalStateException("herald.history.store=jdbc needs herald.history.jdbc.url or a DataSource bean");
                }
                return new Database(application, "the application's DataSource", null);
            }

            DataSource dataSource() {
                return dataSource;
            }

            /** Where the history is, for logs: no credentials. */
            String where() {
                return where;
            }

            @Override
            public void close() {
                if (ownPool != null) {
                    ownPool.close();
                }
            }

            /** The URL without credentials that some drivers accept inline. */
            private static String redact(String url) {
                int query = url.indexOf('?');
                return query < 0 ? url : url.substring(0, query);
            }
        }
    }

    /** A database store without herald-jdbc on the class path: the log cannot be made, and says why. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnBackend(Backend.JDBC)
    @ConditionalOnMissingClass("dev.herald.jdbc.JdbcEventLog")
    @ConditionalOnMissingBean(EventLog.class)
    static class JdbcModuleMissing {

        @Bean
        EventLog heraldEventLog(HeraldProperties properties) {
            throw new IllegalStateException("herald.history.store=" + properties.getHistory().effectiveStore().name().toLowerCase()
                    + " needs dev.herald:herald-jdbc (and a JDBC driver) on the class path");
        }
    }

    /**
     * This node alone: the log in memory when no other backend is selected; in-memory cursors, a bus
     * that rings this process only and this hub's presence whenever the selected backend (or the
     * application's own {@code EventLog}) left them out.
     */
    @Configuration(proxyBeanMethods = false)
    static class Memory {

        @Bean
        @ConditionalOnBackend(Backend.MEMORY)
        @ConditionalOnMissingBean
        EventLog heraldEventLog(HeraldProperties properties, ObjectProvider<InstantSource> clock) {
            return new InMemoryEventLog(retention(properties), clock.getIfAvailable(InstantSource::system));
        }

        @Bean
        @ConditionalOnMissingBean
        DeliveryCursors heraldDeliveryCursors() {
            return DeliveryCursors.inMemory();
        }

        @Bean
        @ConditionalOnMissingBean
        EventBus heraldEventBus() {
            return EventBus.local();
        }

        @Bean
        @ConditionalOnMissingBean
        Presence heraldPresence(Hub hub) {
            return Presence.local(hub);
        }
    }

    /** The history's retention, {@code herald.history.max-events} and {@code .max-age}, for every backend. */
    private static RetentionPolicy retention(HeraldProperties properties) {
        HeraldProperties.History history = properties.getHistory();
        return RetentionPolicy.of(history.getMaxEvents(), history.getMaxAge());
    }

    /** A cluster keeps its history in Redis: a database store named beside a Redis URL is a mistake to report, not to pick from. */
    private static void refuseHistoryStore(HeraldProperties properties) {
        HeraldProperties.History.Store store = properties.getHistory().getStore();
        if (store != null) {
            throw new IllegalStateException("a cluster keeps its history in Redis: unset herald.history.store="
                    + store.name().toLowerCase() + " or the Redis URL");
        }
    }
}
