package dev.herald.spring.boot;

import dev.herald.core.ConnectionLimits;
import dev.herald.core.DeliveryCursors;
import dev.herald.core.EventBus;
import dev.herald.core.EventLog;
import dev.herald.core.HeartbeatPolicy;
import dev.herald.core.Hub;
import dev.herald.core.MetricsRecorder;
import dev.herald.core.Presence;
import dev.herald.http.CorsPolicy;
import dev.herald.http.HeraldApi;
import dev.herald.http.HeraldAuthenticator;
import dev.herald.http.TrustedProxies;
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
            ObjectProvider<InstantSource> clock, ObjectProvider<MetricsRecorder> recorder) {
        return HistoryStore.open(properties, HistoryStore.redisUrl(properties, environment), dataSource::getIfUnique,
                clock.getIfAvailable(InstantSource::system), recorder.getIfUnique(() -> MetricsRecorder.NONE));
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
            ObjectProvider<InstantSource> clock, ObjectProvider<MetricsRecorder> recorder) {
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
                .queueCapacityBytes(properties.getQueueCapacityBytes().toBytes())
                .maxTopicsPerSubscription(properties.getLimits().getMaxTopicsPerSubscription())
                .maxStreamLifetime(properties.getMaxStreamLifetime())
                .maxDataBytes((int) Math.min(Integer.MAX_VALUE, properties.getMaxEventSize().toBytes()))
                .writeTimeout(properties.getWriteTimeout())
                .shutdownTimeout(properties.getShutdownTimeout())
                .shutdownRetrySpread(properties.getShutdownRetrySpread())
                .recorder(recorder.getIfUnique(() -> MetricsRecorder.NONE))
                .build();
    }

    /**
     * Who callers are, from {@code herald.auth.*}; in a servlet application with Spring Security, its
     * authenticated principal first (see {@link SpringSecurityAuthenticator}).
     */
    @Bean
    @ConditionalOnMissingBean
    HeraldAuthenticator heraldAuthenticator(HeraldProperties properties, Environment environment) {
        boolean addressesRewritten = "framework".equalsIgnoreCase(environment.getProperty("server.forward-headers-strategy", ""));
        HeraldAuthenticator configured = HeraldAuthentication.from(properties.getAuth(), addressesRewritten);
        if (org.springframework.util.ClassUtils.isPresent("org.springframework.security.core.context.SecurityContextHolder",
                HeraldAutoConfiguration.class.getClassLoader())) {
            return SpringSecurityAuthenticator.withFallback(configured, HeraldAuthentication.publicTopics(properties.getAuth()));
        }
        return configured;
    }

    /** The proxies whose X-Forwarded-For names the client ({@code herald.limits.trusted-proxies}). */
    @Bean
    @ConditionalOnMissingBean
    TrustedProxies heraldTrustedProxies(HeraldProperties properties) {
        return TrustedProxies.of(properties.getLimits().getTrustedProxies());
    }

    /** Herald's HTTP API as every transport serves it: paths, authentication, CORS, limits. */
    @Bean
    @ConditionalOnMissingBean
    HeraldApi heraldApi(Hub hub, HeraldAuthenticator authenticator, HeraldProperties properties, Presence presence) {
        HeraldProperties.Limits limits = properties.getLimits();
        HeraldApi.Builder api = HeraldApi.builder(hub)
                .authenticator(authenticator)
                .cors(new CorsPolicy(properties.getCors().getAllowedOrigins(), properties.getCors().getMaxAge()))
                .eventsPath(properties.getEndpoint().getPath())
                .maxTopics(limits.getMaxTopicsPerSubscription())
                .maxEventBytes(properties.getMaxEventSize().toBytes())
                .publishRate(limits.getPublishRate(), limits.getPublishBurst());
        if (limits.getMaxRequestBody() != null) {
            api.maxBodyBytes((int) Math.min(Integer.MAX_VALUE - 8, limits.getMaxRequestBody().toBytes()));
        }
        String presencePath = properties.getEndpoint().getPresencePath();
        if (presencePath != null && !presencePath.isBlank()) {
            api.presence(presence, presencePath.trim());
        }
        String connectionsPath = properties.getEndpoint().getConnectionsPath();
        if (connectionsPath != null && !connectionsPath.isBlank()) {
            api.connectionsPath(connectionsPath.trim());
        }
        String mercurePath = properties.getMercure().getPath();
        if (mercurePath != null && !mercurePath.isBlank()) {
            api.mercure(mercurePath.trim(), properties.getMercure().isAnonymous());
            if (properties.getMercure().isSubscriptions()) {
                api.mercureSubscriptions(presence, java.time.Duration.ofSeconds(1));
            }
        }
        return api.build();
    }

    @Bean
    HubLifecycle heraldHubLifecycle(Hub hub) {
        return new HubLifecycle(hub);
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
    static class Health {

        /** The {@code herald} health component: the hub, and whether its store (database, Redis) answers. */
        @Bean
        @ConditionalOnMissingBean(name = "heraldHealthIndicator")
        HeraldHealthIndicator heraldHealthIndicator(Hub hub) {
            return new HeraldHealthIndicator(hub);
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.micrometer.core.instrument.binder.MeterBinder")
    static class Metrics {

        /**
         * Latencies, queue depths and subscriptions by selector, reported by the hub and its log and
         * recorded as Micrometer meters once {@link HeraldMetrics} is bound to a registry.
         */
        @Bean
        @ConditionalOnMissingBean(MetricsRecorder.class)
        MicrometerRecorder heraldMetricsRecorder() {
            return new MicrometerRecorder();
        }

        @Bean
        @ConditionalOnMissingBean
        HeraldMetrics heraldMetrics(Hub hub, Presence presence, ObjectProvider<MicrometerRecorder> recorder) {
            return new HeraldMetrics(hub, presence, recorder.getIfAvailable());
        }
    }
}
