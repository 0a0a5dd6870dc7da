package dev.herald.server.web;

import dev.herald.core.Hub;
import dev.herald.core.HubStats;
import dev.herald.netty.Responder;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/**
 * The operational endpoints, at the paths Spring Boot's Actuator uses: {@code /actuator/health}
 * ({@code UP}, or {@code DOWN} with 503 once the hub is closing), its liveness and readiness
 * groups, and {@code /actuator/prometheus} (every Micrometer meter, Herald's included).
 */
public final class ActuatorHandler implements Responder {

    private final Hub hub;
    private final PrometheusMeterRegistry prometheus;

    public ActuatorHandler(Hub hub, PrometheusMeterRegistry prometheus) {
        this.hub = hub;
        this.prometheus = prometheus;
    }

    @Override
    public FullHttpResponse respond(HttpRequest request, String path) {
        return switch (path) {
            case "/actuator/health", "/actuator/health/liveness", "/actuator/health/readiness" -> health(path);
            case "/actuator/prometheus" -> prometheus == null ? null
                    : response(200, prometheus.scrape(), "text/plain; version=0.0.4; charset=utf-8");
            default -> null;
        };
    }

    private FullHttpResponse health(String path) {
        boolean up = !hub.isClosed();
        String status = up ? "UP" : "DOWN";
        String body;
        if (path.equals("/actuator/health")) {
            HubStats stats = hub.stats();
            body = "{\"status\":\"" + status + "\",\"groups\":[\"liveness\",\"readiness\"],\"components\":{\"hub\":{\"status\":\""
                    + status + "\",\"details\":{\"connections\":" + stats.connections() + ",\"published\":" + stats.published() + "}}}}";
        } else {
            body = "{\"status\":\"" + status + "\"}";
        }
        return response(up ? 200 : 503, body, "application/vnd.spring-boot.actuator.v3+json");
    }

    private static FullHttpResponse response(int status, String body, String type) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status),
                Unpooled.wrappedBuffer(bytes));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, type).setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        return response;
    }
}
