package dev.herald.spring.boot;

import dev.herald.core.Hub;
import dev.herald.core.Presence;
import dev.herald.http.HeraldAuthenticator;
import dev.herald.spring.web.EventStreams;
import dev.herald.spring.web.HeraldEndpoints;
import dev.herald.spring.web.HeraldPresenceEndpoint;
import dev.herald.spring.web.HeraldProblems;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.web.servlet.DispatcherServlet;
import org.springframework.web.servlet.config.annotation.CorsRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Registers Herald's servlet endpoints ({@code GET}/{@code POST herald.endpoint.path}), the
 * {@link EventStreams} helper for custom stream endpoints, problem responses and CORS, for
 * applications that run Spring MVC. Identity comes from the {@link HeraldAuthenticator} bean.
 */
@AutoConfiguration(after = HeraldAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass(DispatcherServlet.class)
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
    HeraldEndpoints heraldEndpoints(Hub hub, EventStreams streams, HeraldAuthenticator authenticator,
            HeraldProperties properties) {
        return new HeraldEndpoints(hub, streams, authenticator,
                (int) Math.min(Integer.MAX_VALUE, properties.getMaxEventSize().toBytes()));
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBooleanProperty(name = "herald.endpoint.enabled", matchIfMissing = true)
    @Conditional(PresencePathSet.class)
    HeraldPresenceEndpoint heraldPresenceEndpoint(Presence presence, HeraldAuthenticator authenticator) {
        return new HeraldPresenceEndpoint(presence, authenticator);
    }

    @Bean
    WebMvcConfigurer heraldCors(HeraldProperties properties) {
        return new WebMvcConfigurer() {
            @Override
            public void addCorsMappings(CorsRegistry registry) {
                HeraldCors.register(registry, properties.getCors(), properties.getEndpoint().getPath());
            }
        };
    }

    /** Matches when {@code herald.endpoint.presence-path} names a path. */
    static final class PresencePathSet implements Condition {
        @Override
        public boolean matches(ConditionContext context, org.springframework.core.type.AnnotatedTypeMetadata metadata) {
            String path = context.getEnvironment().getProperty("herald.endpoint.presence-path");
            return path != null && !path.isBlank();
        }
    }
}
