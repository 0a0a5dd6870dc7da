package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.redis.testing.RedisServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Readiness sees the backends: a node in cluster mode whose Redis stops answering reports
 * {@code OUT_OF_SERVICE} (503) on its readiness probe, so a load balancer sends clients elsewhere,
 * and {@code UP} again once Redis is back; liveness stays up throughout (nothing to restart).
 */
@SpringBootTest(properties = {
    "server.port=0",
    "herald.redis.timeout=500ms",
    "herald.demo.stream-interval=1h",
})
// Closed after this class: cached with its Redis stopped, the context's client would keep trying to
// reconnect and log warnings into whatever test runs next.
@org.springframework.test.annotation.DirtiesContext
class ReadinessTest {

    private static final RedisServer REDIS = RedisServer.start();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @DynamicPropertySource
    static void redis(DynamicPropertyRegistry registry) {
        registry.add("herald.redis.url", REDIS::uri);
    }

    @AfterAll
    static void stopRedis() {
        REDIS.resume();
        REDIS.close();
    }

    @LocalServerPort
    int port;

    private HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private String status(HttpResponse<String> response) {
        return JSON.readTree(response.body()).path("status").asString();
    }

    @Test
    void readinessGoesOutOfServiceWhileRedisDoesNotAnswerAndComesBackWithIt() throws Exception {
        HttpResponse<String> before = get("/actuator/health/readiness");
        assertThat(before.statusCode()).isEqualTo(200);
        assertThat(status(before)).isEqualTo("UP");

        REDIS.suspend();
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> get("/actuator/health/readiness").statusCode() == 503);
            HttpResponse<String> unready = get("/actuator/health/readiness");
            JsonNode body = JSON.readTree(unready.body());
            assertThat(body.path("status").asString()).isEqualTo("OUT_OF_SERVICE");
            assertThat(body.path("components").path("herald").path("status").asString()).isEqualTo("OUT_OF_SERVICE");
            assertThat(get("/actuator/health/liveness").statusCode()).as("alive: nothing to restart").isEqualTo(200);
        } finally {
            REDIS.resume();
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> get("/actuator/health/readiness").statusCode() == 200);
        assertThat(status(get("/actuator/health"))).isEqualTo("UP");
    }
}
