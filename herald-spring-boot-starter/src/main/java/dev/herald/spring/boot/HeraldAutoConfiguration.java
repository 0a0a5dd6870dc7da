package dev.herald.spring.boot;

import dev.herald.core.ConnectionLimits;
import dev.herald.core.DeliveryCursors;
import dev.herald.core.EventBus;
import dev.herald.core.EventLog;
import dev.herald.core.HeartbeatPolicy;
import dev.herald.core.Hub;
import dev.herald.core.Presence;
import dev.herald.http.HeraldAuthenticator;
import java.time.InstantSource;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Configures a {@link Hub} from {@code herald.*} properties, with the {@link EventLog} and
 * {@link DeliveryCursors} that {@code herald.history.store} names (in memory by default) and a local
 * {@link EventBus}, unless the application (or another Herald module) defines its own,
 * and the default {@link HeraldAuthenticator}. Inject the hub anywhere and call {@code publish(...)}.
 */
@AutoConfiguration
@ConditionalOnBooleanProperty(name = "herald.enabled", matchIfMissing = true)
@EnableConfigurationProperties(HeraldProperties.class)
public final class HeraldAutoConfiguration {

    /** The history store named by {@code herald.history.*}, unless the application defines its own log. */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean({HistoryStore.class, EventLog.class})
    HistoryStore heraldHistoryStore(HeraldProperties properties, Environment environment, ObjectProvider<DataSource> dataSource,
            ObjectProvider<InstantSource> clock) {
        return HistoryStore.open(properties, HistoryStore.redisUrl(properties, environment), dataSource::getIfUnique,
                clock.getIfAvailable(InstantSource::system));
    }

    /** Closed by the history store. */
    @Bean(destroyMethod = "")
    @ConditionalOnMissingBean
    EventLog heraldEventLog(HistoryStore store) {
        return store.eventLog();
    }

    /** The store's cursors, or in memory when the application brought its own log. */
    @Bean(destroyMethod = "")
    @ConditionalOnMissingBean
    DeliveryCursors heraldDeliveryCursors(ObjectProvider<HistoryStore> store) {
        HistoryStore history = store.getIfAvailable();
        return history != null ? history.cursors() : DeliveryCursors.inMemory();
    }

    /** The cluster's bus in cluster mode, else one that rings this process only. Closing it twice (here and by the history store) is safe. */
    @Bean
    @ConditionalOnMissingBean
    EventBus heraldEventBus(ObjectProvider<HistoryStore> store) {
        HistoryStore history = store.getIfAvailable();
        return history != null && history.eventBus() != null ? history.eventBus() : EventBus.local();
    }

    /** Who is connected: across the cluster in cluster mode, else on this hub. */
    @Bean
    @ConditionalOnMissingBean
    Presence heraldPresence(Hub hub, ObjectProvider<HistoryStore> store) {
        HistoryStore history = store.getIfAvailable();
        return history != null ? history.presence(hub) : Presence.local(hub);
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    Hub heraldHub(HeraldProperties properties, EventLog eventLog, EventBus eventBus, DeliveryCursors deliveryCursors,
            ObjectProvider<InstantSource> clock) {
        return Hub.builder()
                .eventLog(eventLog)
                .eventBus(eventBus)
                .deliveryCursors(deliveryCursors)
                .clock(clock.getIfAvailable(InstantSource::system))
                .retry(properties.getRetry())
                .heartbeat(properties.getHeartbeat().isZero()
                        ? HeartbeatPolicy.disabled()
                        : HeartbeatPolicy.every(properties.getHeartbeat()))
                .limits(ConnectionLimits.of(properties.getMaxConnections(), properties.getMaxConnectionsPerUser())
                        .withRetryAfter(properties.getLimitRetryAfter()))
                .queueCapacity(properties.getQueueCapacity())
                .maxStreamLifetime(properties.getMaxStreamLifetime())
                .maxDataBytes((int) Math.min(Integer.MAX_VALUE, properties.getMaxEventSize().toBytes()))
                .writeTimeout(properties.getWriteTimeout())
                .shutdownTimeout(properties.getShutdownTimeout())
                .build();
    }

    @Bean
    @ConditionalOnMissingBean
    HeraldAuthenticator heraldAuthenticator(HeraldProperties properties) {
        return HeraldAuthenticator.queryParameter(properties.getAuth().getUserParameter());
    }

    @Bean
    HubLifecycle heraldHubLifecycle(Hub hub) {
        return new HubLifecycle(hub);
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.micrometer.core.instrument.binder.MeterBinder")
    static class Metrics {

        @Bean
        @ConditionalOnMissingBean
        HeraldMetrics heraldMetrics(Hub hub, Presence presence) {
            return new HeraldMetrics(hub, presence);
        }
    }
}
