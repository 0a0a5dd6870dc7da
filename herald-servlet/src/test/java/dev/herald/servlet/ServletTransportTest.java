package dev.herald.servlet;

import dev.herald.core.Hub;
import dev.herald.http.HeraldApi;
import dev.herald.http.TrustedProxies;
import dev.herald.http.testing.ApiSettings;
import dev.herald.http.testing.Transport;
import dev.herald.http.testing.TransportContract;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;

/**
 * The transport contract on the servlet transport: Herald's endpoints in a Spring MVC application
 * on a real Tomcat, with the same {@link HeraldApi} the Netty transport gets, and no Herald
 * auto-configuration (this module is the transport; the starter wires it in applications).
 */
class ServletTransportTest extends TransportContract {

    /** An MVC application with nothing of Herald's but the transport, given its hub and API. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class Application {

        @Bean
        EventStreams heraldEventStreams(Hub hub) {
            return new EventStreams(hub);
        }

        @Bean
        HeraldEndpoints heraldEndpoints(HeraldApi api, EventStreams streams) {
            return new HeraldEndpoints(api, streams, TrustedProxies.none());
        }

        @Bean
        HeraldProblems heraldProblems() {
            return new HeraldProblems();
        }

        @Bean
        FilterRegistrationBean<HeraldPathFilter> heraldPathFilter(HeraldApi api) {
            FilterRegistrationBean<HeraldPathFilter> registration = new FilterRegistrationBean<>(new HeraldPathFilter(api, TrustedProxies.none()));
            registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 10);
            return registration;
        }
    }

    /** The presence endpoint, when the contract configures one. */
    static class Presence {
        @Bean
        HeraldPresenceEndpoint heraldPresenceEndpoint(HeraldApi api) {
            return new HeraldPresenceEndpoint(api, TrustedProxies.none());
        }
    }

    /** The connections endpoint, when the contract configures one. */
    static class Connections {
        @Bean
        HeraldConnectionsEndpoint heraldConnectionsEndpoint(HeraldApi api) {
            return new HeraldConnectionsEndpoint(api, TrustedProxies.none());
        }
    }

    /** The Mercure endpoint, when the contract configures one. */
    static class Mercure {
        @Bean
        HeraldMercureEndpoint heraldMercureEndpoint(HeraldApi api, EventStreams streams) {
            return new HeraldMercureEndpoint(api, streams, TrustedProxies.none());
        }
    }

    @Override
    protected Transport start(Hub.Builder hubSettings, ApiSettings settings) {
        Hub hub = hubSettings.build();
        HeraldApi api = settings.toApi(hub);
        List<Class<?>> sources = new ArrayList<>(List.of(Application.class));
        List<String> args = new ArrayList<>(List.of("--server.port=0", "--server.address=127.0.0.1", "--spring.main.banner-mode=off",
                // Browsers send URI templates unencoded; Tomcat refuses braces in a query unless allowed.
                "--server.tomcat.relaxed-query-chars={,}"));
        if (settings.presencePath() != null) {
            sources.add(Presence.class);
            args.add("--herald.endpoint.presence-path=" + settings.presencePath());
        }
        if (settings.connectionsPath() != null) {
            sources.add(Connections.class);
            args.add("--herald.endpoint.connections-path=" + settings.connectionsPath());
        }
        if (settings.mercurePath() != null) {
            sources.add(Mercure.class);
            args.add("--herald.mercure.path=" + settings.mercurePath());
        }
        SpringApplication application = new SpringApplication(sources.toArray(Class<?>[]::new));
        application.setWebApplicationType(WebApplicationType.SERVLET);
        application.addInitializers(context -> {
            context.getBeanFactory().registerSingleton("hub", hub);
            context.getBeanFactory().registerSingleton("heraldApi", api);
        });
        ConfigurableApplicationContext context = application.run(args.toArray(String[]::new));
        int port = ((WebServerApplicationContext) context).getWebServer().getPort();
        return Transport.http11(URI.create("http://127.0.0.1:" + port), hub, context::close);
    }
}
