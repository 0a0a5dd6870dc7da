package dev.herald.server.web;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.time.Duration;
import java.util.Arrays;
import java.util.function.Function;
import org.springframework.boot.actuate.endpoint.ApiVersion;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.WebServerNamespace;
import org.springframework.boot.health.actuate.endpoint.HealthDescriptor;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroups;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointWebExtension;
import org.springframework.boot.health.registry.HealthContributorRegistry;
import org.springframework.boot.health.registry.ReactiveHealthContributorRegistry;
import tools.jackson.databind.json.JsonMapper;

/**
 * Spring Boot's Actuator endpoints on the Netty server, with Boot's own semantics: health through
 * Boot's {@link HealthEndpointWebExtension} (every health indicator, Herald's store and Redis
 * included; groups such as {@code liveness} and {@code readiness} at {@code /actuator/health/<group>};
 * {@code management.endpoint.health.show-details} and {@code .show-components}; the HTTP status
 * of each status, 503 for {@code DOWN} and {@code OUT_OF_SERVICE}) and Prometheus's scrape when
 * the {@code prometheus} endpoint is exposed ({@code management.endpoints.web.exposure.include}).
 *
 * <p>Health checks may ask a database or Redis, so the server answers them on a virtual thread
 * ({@link #mayBlock}). Who counts as authorized for {@code show-details: when-authorized} is
 * decided by the given function (the caller's admin token, on the standalone server).
 */
public final class ActuatorHandler implements dev.herald.netty.Responder {

    private static final String PREFIX = "/actuator";
    private static final String HEALTH = PREFIX + "/health";
    private static final String MEDIA_TYPE = ApiVersion.V3.getProducedMimeType().toString();

    private final HealthEndpointWebExtension health;
    private final PrometheusMeterRegistry prometheus;
    private final JsonMapper json;
    private final WebServerNamespace namespace;
    private final Function<HttpRequest, SecurityContext> security;

    /**
     * @param registry   the health contributors (Boot's bean)
     * @param reactive   the reactive ones, or {@code null}
     * @param groups     the health groups (Boot's bean)
     * @param prometheus the registry to scrape, or {@code null} when the endpoint is not exposed
     * @param json       how endpoint responses are written (Boot's endpoint mapper)
     * @param namespace  the server this serves on: the main one, or the management port
     * @param security   who the caller is, for {@code when-authorized} details
     */
    public ActuatorHandler(HealthContributorRegistry registry, ReactiveHealthContributorRegistry reactive,
            HealthEndpointGroups groups, PrometheusMeterRegistry prometheus, JsonMapper json, WebServerNamespace namespace,
            Function<HttpRequest, SecurityContext> security) {
        this.health = new HealthEndpointWebExtension(registry, reactive, groups, Duration.ofSeconds(10));
        this.prometheus = prometheus;
        this.json = json;
        this.namespace = namespace;
        this.security = security;
    }

    @Override
    public boolean mayBlock(String path) {
        return path.equals(HEALTH) || path.startsWith(HEALTH + "/");
    }

    @Override
    public FullHttpResponse respond(HttpRequest request, String path) {
        if (!path.startsWith(PREFIX) || !(request.method().equals(HttpMethod.GET) || request.method().equals(HttpMethod.HEAD))) {
            return null;
        }
        if (mayBlock(path)) {
            String[] segments = path.equals(HEALTH) ? new String[0]
                    : Arrays.stream(path.substring(HEALTH.length() + 1).split("/")).filter(s -> !s.isEmpty()).toArray(String[]::new);
            WebEndpointResponse<HealthDescriptor> answer = health.health(ApiVersion.V3, namespace, security.apply(request), segments);
            if (answer.getBody() == null) {
                return response(answer.getStatus(), "", MEDIA_TYPE);
            }
            return response(answer.getStatus(), json.writeValueAsString(answer.getBody()), MEDIA_TYPE);
        }
        if (path.equals(PREFIX + "/prometheus") && prometheus != null) {
            return response(200, prometheus.scrape(), "text/plain; version=0.0.4; charset=utf-8");
        }
        return null;
    }

    private static FullHttpResponse response(int status, String body, String type) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status),
                Unpooled.wrappedBuffer(bytes));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, type).setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length)
                .set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        return response;
    }

    /** A caller for {@code show-details: when-authorized}: an authorized principal with these roles, or nobody. */
    public static SecurityContext caller(String name, boolean authorized, String... roles) {
        if (!authorized) {
            return SecurityContext.NONE;
        }
        Principal principal = () -> name;
        return new SecurityContext() {
            @Override
            public Principal getPrincipal() {
                return principal;
            }

            @Override
            public boolean isUserInRole(String role) {
                return Arrays.asList(roles).contains(role);
            }
        };
    }
}
