package dev.herald.spring.boot;

import dev.herald.core.Hub;
import dev.herald.http.HeraldApi;
import dev.herald.http.HeraldAuthenticator;
import dev.herald.http.TrustedProxies;
import dev.herald.servlet.EventStreams;
import dev.herald.servlet.HeraldConnectionsEndpoint;
import dev.herald.servlet.HeraldPathFilter;
import dev.herald.servlet.HeraldEndpoints;
import dev.herald.servlet.HeraldMercureEndpoint;
import dev.herald.servlet.HeraldPresenceEndpoint;
import dev.herald.servlet.HeraldProblems;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.Ordered;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.web.servlet.DispatcherServlet;

/**
 * Registers {@code herald-servlet}'s endpoints ({@code GET}/{@code POST herald.endpoint.path}, and
 * the presence and connections paths when set), the {@link EventStreams} helper for custom stream
 * endpoints, problem responses and CORS, for applications that run Spring MVC and have
 * {@code herald-servlet} on the classpath. Every request goes through the {@link HeraldApi} bean,
 * so identity comes from the {@link HeraldAuthenticator} bean.
 */
@AutoConfiguration(after = HeraldAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass({DispatcherServlet.class, HeraldEndpoints.class})
@ConditionalOnBean(Hub.class)
public final class HeraldWebAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    EventStreams heraldEventStreams(Hub hub) {
        return new EventStreams(hub);
    }

    @Bean
    @ConditionalOnMissingBean
    HeraldProblems heraldProblems() {
        return new HeraldProblems();
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBooleanProperty(name = "herald.endpoint.enabled", matchIfMissing = true)
    HeraldEndpoints heraldEndpoints(HeraldApi api, EventStreams streams, TrustedProxies proxies) {
        return new HeraldEndpoints(api, streams, proxies);
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBooleanProperty(name = "herald.endpoint.enabled", matchIfMissing = true)
    @Conditional(PresencePathSet.class)
    HeraldPresenceEndpoint heraldPresenceEndpoint(HeraldApi api, TrustedProxies proxies) {
        return new HeraldPresenceEndpoint(api, proxies);
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBooleanProperty(name = "herald.endpoint.enabled", matchIfMissing = true)
    @Conditional(ConnectionsPathSet.class)
    HeraldConnectionsEndpoint heraldConnectionsEndpoint(HeraldApi api, TrustedProxies proxies) {
        return new HeraldConnectionsEndpoint(api, proxies);
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBooleanProperty(name = "herald.endpoint.enabled", matchIfMissing = true)
    @Conditional(MercurePathSet.class)
    HeraldMercureEndpoint heraldMercureEndpoint(HeraldApi api, EventStreams streams, TrustedProxies proxies) {
        return new HeraldMercureEndpoint(api, streams, proxies);
    }

    /** CORS and methods for Herald's paths, before any other filter so a preflight needs no credentials. */
    @Bean
    @ConditionalOnBooleanProperty(name = "herald.endpoint.enabled", matchIfMissing = true)
    FilterRegistrationBean<HeraldPathFilter> heraldPathFilter(HeraldApi api, TrustedProxies proxies) {
        FilterRegistrationBean<HeraldPathFilter> registration = new FilterRegistrationBean<>(new HeraldPathFilter(api, proxies));
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 10);
        registration.setName("heraldPathFilter");
        return registration;
    }

    /** Matches when {@code herald.endpoint.presence-path} names a path. */
    static final class PresencePathSet implements Condition {
        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            String path = context.getEnvironment().getProperty("herald.endpoint.presence-path");
            return path != null && !path.isBlank();
        }
    }

    /** Matches when {@code herald.mercure.path} names a path. */
    static final class MercurePathSet implements Condition {
        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            String path = context.getEnvironment().getProperty("herald.mercure.path");
            return path != null && !path.isBlank();
        }
    }

    /** Matches when {@code herald.endpoint.connections-path} names a path. */
    static final class ConnectionsPathSet implements Condition {
        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            String path = context.getEnvironment().getProperty("herald.endpoint.connections-path");
            return path != null && !path.isBlank();
        }
    }
}
