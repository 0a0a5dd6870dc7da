package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.http.TokenMinter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Spring Boot's Actuator on its own port ({@code management.server.port}), with Boot's health
 * semantics: groups, components for everyone, details for admin tokens only.
 */
@SpringBootTest(properties = {
    "server.port=0",
    "management.server.port=0",
    "herald.history.store=memory",
    "herald.auth.jwt.secret=" + ManagementPortTest.SECRET,
    "herald.demo.stream-interval=1h",
})
class ManagementPortTest {

    static final String SECRET = "management-secret-that-is-at-least-32-bytes";
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @LocalServerPort
    int port;

    @Value("${local.management.port}")
    int managementPort;

    private static HttpResponse<String> get(int port, String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String token(boolean admin) {
        return TokenMinter.hs256(SECRET.getBytes(StandardCharsets.UTF_8), "ops", List.of(), List.of(), false, admin,
                Duration.ofHours(1), java.time.InstantSource.system());
    }

    @Test
    void healthAndMetricsAreOnTheManagementPortAndNotOnTheApisPort() throws Exception {
        assertThat(managementPort).isPositive().isNotEqualTo(port);

        HttpResponse<String> health = get(managementPort, "/actuator/health", null);
        HttpResponse<String> readiness = get(managementPort, "/actuator/health/readiness", null);
        HttpResponse<String> liveness = get(managementPort, "/actuator/health/liveness", null);
        HttpResponse<String> metrics = get(managementPort, "/actuator/prometheus", null);

        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.headers().firstValue("Content-Type")).hasValue("application/vnd.spring-boot.actuator.v3+json");
        JsonNode body = JSON.readTree(health.body());
        assertThat(body.path("status").asString()).isEqualTo("UP");
        assertThat(body.path("groups").toString()).contains("liveness").contains("readiness");
        assertThat(body.path("components").path("herald").path("status").asString()).isEqualTo("UP");
        assertThat(JSON.readTree(readiness.body()).path("components").has("herald")).as("the store counts for readiness").isTrue();
        assertThat(liveness.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("herald_connections");
        assertThat(get(managementPort, "/events?topic=t", null).statusCode()).as("no API on the management port").isEqualTo(404);

        assertThat(get(port, "/actuator/health", null).statusCode()).isEqualTo(404);
        assertThat(get(port, "/actuator/prometheus", null).statusCode()).isEqualTo(404);
    }

    @Test
    void detailsAreShownToAdminTokensOnly() throws Exception {
        JsonNode anonymous = JSON.readTree(get(managementPort, "/actuator/health", null).body());
        JsonNode user = JSON.readTree(get(managementPort, "/actuator/health", token(false)).body());
        JsonNode admin = JSON.readTree(get(managementPort, "/actuator/health", token(true)).body());

        assertThat(anonymous.path("components").path("herald").has("details")).isFalse();
        assertThat(user.path("components").path("herald").has("details")).isFalse();
        assertThat(admin.path("components").path("herald").path("details").path("connections").isNumber()).isTrue();
        assertThat(admin.path("components").path("herald").path("details").path("store").asString()).isEqualTo("memory");
    }
}
