package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

@SpringBootTest(properties = {"server.port=0", "herald.demo.enabled=false", "herald.history.store=memory"})
class DemoDisabledTest {

    @LocalServerPort
    int port;

    @Test
    void withoutTheDemosOnlyTheApiRemains() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> demo = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/sse"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> publish = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/events"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"topic\": \"t\", \"data\": \"x\"}"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(demo.statusCode()).isEqualTo(404);
        assertThat(demo.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(publish.statusCode()).isEqualTo(201);
        // The pages are demos too, the publish form at / included.
        for (String page : java.util.List.of("/", "/index.html", "/users.html", "/toggle.html", "/herald.js", "/stream-sse", "/connect/1")) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + page))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(page).isEqualTo(404);
        }
        HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
    }
}
