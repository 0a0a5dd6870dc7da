package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

@SpringBootTest(properties = {"server.port=0", "herald.dashboard.enabled=false", "herald.demo.enabled=false", "herald.history.store=memory"})
class DashboardDisabledTest {

    @LocalServerPort
    int port;

    @Test
    void withTheDashboardOffNeitherThePageNorItsStreamIsServed() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        for (String path : List.of("/dashboard", "/dashboard/", "/dashboard/stream", "/dashboard/index.html", "/dashboard/uplot/uplot.js")) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(path).isEqualTo(404);
        }
    }
}
