package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.netty.NettyTransport;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/** {@code herald.netty.transport} picks the event loops' transport, and the server serves on it. */
@SpringBootTest(properties = {"server.port=0", "herald.demo.enabled=false", "herald.history.store=memory", "herald.netty.transport=epoll"})
class NettyTransportSettingTest {

    @LocalServerPort
    int port;

    @Autowired
    NettyServerLifecycle server;

    @Test
    void servesOnTheNamedTransport() throws Exception {
        assertThat(server.transport()).isEqualTo(NettyTransport.EPOLL);
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<java.io.InputStream> stream = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/events?topic=t"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(stream.statusCode()).isEqualTo(200);
        HttpResponse<String> publish = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/events"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"topic\": \"t\", \"data\": \"over epoll\"}"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(publish.statusCode()).isEqualTo(201);
        BufferedReader lines = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8));
        java.util.concurrent.Future<String> data = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor().submit(() -> {
            String line;
            while ((line = lines.readLine()) != null && !line.startsWith("data:")) {
                // the stream's head, retry and any heartbeat come first
            }
            return line;
        });
        try {
            assertThat(data.get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("data: over epoll");
        } finally {
            stream.body().close();
        }
    }

    @Test
    void anUnknownTransportStopsTheStartWithTheChoices() {
        assertThatThrownBy(() -> new SpringApplicationBuilder(HeraldServerApplication.class)
                .run("--server.port=0", "--herald.demo.enabled=false", "--herald.history.store=memory", "--herald.netty.transport=kqueue")
                .close())
                .hasStackTraceContaining("herald.netty.transport");
    }
}
