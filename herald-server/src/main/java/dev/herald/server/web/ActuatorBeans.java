package dev.herald.server.web;

import dev.herald.http.Access;
import dev.herald.http.HeraldApi;
import dev.herald.http.HttpRequestView;
import dev.herald.http.internal.Cookies;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.jackson.EndpointJsonMapper;
import org.springframework.boot.actuate.endpoint.web.WebServerNamespace;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroups;
import org.springframework.boot.health.registry.HealthContributorRegistry;
import org.springframework.boot.health.registry.ReactiveHealthContributorRegistry;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.prometheus.PrometheusScrapeEndpoint;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * What the server needs of Spring Boot's Actuator to serve it on Netty: the health registry and
 * groups, whether Prometheus's endpoint is exposed, and the endpoints' JSON mapper. Each may be
 * absent (an endpoint turned off), and then so is its route.
 */
@Component
public class ActuatorBeans {

    private final ObjectProvider<HealthContributorRegistry> registry;
    private final ObjectProvider<ReactiveHealthContributorRegistry> reactive;
    private final ObjectProvider<HealthEndpointGroups> groups;
    private final ObjectProvider<PrometheusScrapeEndpoint> prometheusEndpoint;
    private final ObjectProvider<EndpointJsonMapper> json;

    public ActuatorBeans(ObjectProvider<HealthContributorRegistry> registry, ObjectProvider<ReactiveHealthContributorRegistry> reactive,
            ObjectProvider<HealthEndpointGroups> groups, ObjectProvider<PrometheusScrapeEndpoint> prometheusEndpoint,
            ObjectProvider<EndpointJsonMapper> json) {
        this.registry = registry;
        this.reactive = reactive;
        this.groups = groups;
        this.prometheusEndpoint = prometheusEndpoint;
        this.json = json;
    }

    /**
     * The Actuator handler, or {@code null} when the health endpoint is off. Callers with an admin
     * token count as authorized for {@code show-details: when-authorized}.
     */
    public ActuatorHandler handler(HeraldApi api, PrometheusMeterRegistry prometheus, WebServerNamespace namespace) {
        HealthContributorRegistry contributors = registry.getIfAvailable();
        HealthEndpointGroups healthGroups = groups.getIfAvailable();
        if (contributors == null || healthGroups == null) {
            return null;
        }
        EndpointJsonMapper endpointJson = json.getIfAvailable();
        JsonMapper mapper = endpointJson != null ? endpointJson.get() : JsonMapper.builder().build();
        PrometheusMeterRegistry scraped = prometheusEndpoint.getIfAvailable() != null ? prometheus : null;
        return new ActuatorHandler(contributors, reactive.getIfAvailable(), healthGroups, scraped, mapper, namespace,
                request -> caller(api, request));
    }

    private static SecurityContext caller(HeraldApi api, HttpRequest request) {
        try {
            Access access = api.authenticate(new View(request));
            return ActuatorHandler.caller(access.userId() == null ? "herald" : access.userId(), access.admin(), "ADMIN");
        } catch (RuntimeException refused) {
            return SecurityContext.NONE;
        }
    }

    /** A request's head as Herald's view, without a client address (so never trusted by address). */
    private record View(HttpRequest request) implements HttpRequestView {
        @Override
        public String method() {
            return request.method().name();
        }

        @Override
        public String path() {
            return new QueryStringDecoder(request.uri()).path();
        }

        @Override
        public String header(String name) {
            return request.headers().get(name);
        }

        @Override
        public List<String> parameters(String name) {
            return new QueryStringDecoder(request.uri()).parameters().getOrDefault(name, List.of());
        }

        @Override
        public String cookie(String name) {
            return Cookies.parse(request.headers().get("Cookie")).get(name);
        }

        @Override
        public String remoteAddress() {
            return null;
        }
    }
}
