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
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;

/**
 * Configures a {@link Hub} from {@code herald.*} properties, on the backend they select (see
 * {@link BackendConfigurations}): its {@link EventLog}, {@link DeliveryCursors}, {@link EventBus}
 * and {@link Presence} in Redis with a Redis URL ({@code herald.redis.*}), in a database with
 * {@code herald.history.store=h2|jdbc}, else in memory; and the default {@link HeraldAuthenticator}.
 * Every bean stands aside for the application's own. Inject the hub anywhere and call
 * {@code publish(...)}.
 */
@AutoConfiguration
@ConditionalOnBooleanProperty(name = "herald.enabled", matchIfMissing = true)
@EnableConfigurationProperties(HeraldProperties.class)
@Import({BackendConfigurations.Redis.class, BackendConfigurations.RedisModuleMissing.class, BackendConfigurations.Jdbc.class,
        BackendConfigurations.JdbcModuleMissing.class, BackendConfigurations.Memory.class})
public final class HeraldAutoConfiguration {

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
