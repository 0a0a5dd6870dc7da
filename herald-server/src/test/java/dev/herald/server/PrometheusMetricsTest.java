package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.core.ConnectionInfo;
import dev.herald.core.Hub;
import dev.herald.core.Publication;
import dev.herald.core.testing.SseParser.Received;
import dev.herald.core.testing.SseWireClient;
import dev.herald.core.testing.WireClients;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * What an operator's Prometheus scrapes from the standalone server ({@code /actuator/prometheus})
 * while streams run over HTTP/1.1 and HTTP/2 (h2c): connections by transport, delivery and commit
 * latency histograms, resumes, subscriptions by selector, queue depths, and a client that stops
 * reading showing as slow, with its discarded events as dropped.
 */
@SpringBootTest(properties = {
    "server.port=0",
    "herald.data-dir=target/test-data/${random.uuid}",
    "herald.demo.stream-interval=1h",
    "herald.heartbeat=200ms",
    "herald.queue-capacity=16",
})
class PrometheusMetricsTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    @Autowired
    Hub hub;

    private WireClients clients;
    private OkHttpClient h2c;

    @BeforeEach
    void clients() {
        clients = new WireClients(port);
        h2c = new OkHttpClient.Builder().protocols(List.of(Protocol.H2_PRIOR_KNOWLEDGE)).readTimeout(Duration.ofSeconds(30)).build();
    }

    @AfterEach
    void closeClients() throws Exception {
        clients.close();
        h2c.dispatcher().executorService().shutdown();
        h2c.connectionPool().evictAll();
        await().atMost(Duration.ofSeconds(20)).until(() -> hub.stats().connections() == 0);
    }

    @Test
    void streamsOverHttp11AndHttp2ShowInEveryMeterAnOperatorWatches() throws Exception {
        String before = scrape();
        SseWireClient http1 = clients.get("/events?topic=metrics/news");
        List<String> http2Data = new CopyOnWriteArrayList<>();
        Response http2 = h2c.newCall(new Request.Builder().url("http://127.0.0.1:" + port + "/events?topic=metrics/news").build()).execute();
        assertThat(http2.protocol()).isEqualTo(Protocol.H2_PRIOR_KNOWLEDGE);
        Thread.ofVirtual().start(() -> readData(http2, http2Data));
        awaitLive(2);

        String streaming = scrape();
        assertThat(value(streaming, "herald_connections", "transport", "http1")).isEqualTo(1);
        assertThat(value(streaming, "herald_connections", "transport", "http2")).isEqualTo(1);
        assertThat(value(streaming, "herald_connections", "transport", "servlet")).isZero();
        assertThat(value(streaming, "herald_connections", "transport", "other")).isZero();

        hub.publish(Publication.to("metrics/news").data("n1").build());
        hub.publish(Publication.to("metrics/news").data("n2").build());
        // Over HTTP the event loop publishes without blocking: its commit is timed as well.
        HttpResponse<String> posted = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/events"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"topic\": \"metrics/news\", \"data\": \"n3\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(posted.statusCode()).isEqualTo(201);
        await().until(() -> http1.parser().events().size() == 3 && http2Data.size() == 3);

        String delivered = scrape();
        assertThat(delivered).contains("herald_delivery_latency_seconds_bucket{le=");
        assertThat(value(delivered, "herald_delivery_latency_seconds_count") - value(before, "herald_delivery_latency_seconds_count"))
                .as("each stream's first live event is sampled").isGreaterThanOrEqualTo(2);
        assertThat(delivered).contains("herald_store_commit_latency_seconds_bucket{");
        double commitsBefore = value(before, "herald_store_commit_latency_seconds_count", "store", "jdbc");
        await().until(() -> value(scrape(), "herald_store_commit_latency_seconds_count", "store", "jdbc") - commitsBefore == 3);
        assertThat(value(delivered, "herald_store_errors_total", "operation", "append")).isZero();

        String firstId = http1.parser().events().getFirst().lastEventId();
        SseWireClient resumed = clients.get("/events?topic=metrics/news", Map.of("Last-Event-ID", firstId));
        await().until(() -> resumed.parser().events().size() == 2);
        assertThat(resumed.parser().events()).extracting(Received::data).containsExactly("n2", "n3");
        String afterResume = scrape();
        assertThat(value(afterResume, "herald_resumes_total", "status", "resumed")
                - value(before, "herald_resumes_total", "status", "resumed")).isEqualTo(1);
        assertThat(value(afterResume, "herald_resumes_total", "status", "live")
                - value(before, "herald_resumes_total", "status", "live")).isEqualTo(2);
        assertThat(value(afterResume, "herald_connections", "transport", "http1")).isEqualTo(2);

        // Subscriptions and queue depths are sampled every few seconds.
        await().atMost(Duration.ofSeconds(15)).until(() -> value(scrape(), "herald_subscriptions", "selector", "metrics/news") == 3);
        String sampled = scrape();
        assertThat(value(sampled, "herald_subscriptions", "selector", "other")).isZero();
        assertThat(value(sampled, "herald_queue_depth_count")).isPositive();
        assertThat(sampled).contains("herald_queue_depth_bucket{le=\"16.0\"}");
        http2.close();
    }

    @Test
    void aClientThatStopsReadingShowsAsSlowAndItsDiscardedEventsAsDropped() throws Exception {
        String before = scrape();
        SseWireClient stalled = clients.stalled("/events?topic=metrics/firehose");
        assertThat(stalled.status()).isEqualTo(200);
        awaitLive(1);
        String filler = "f".repeat(6 * 1024);
        long slowBefore = hub.stats().slowDisconnects();

        // The kernel's buffers fill first (megabytes on loopback), then Netty's, then the queue of 16.
        for (int i = 0; i < 5000 && hub.stats().slowDisconnects() == slowBefore; i++) {
            hub.publish(Publication.to("metrics/firehose").data(i + " " + filler).build());
        }

        await().until(() -> hub.stats().slowDisconnects() == slowBefore + 1);
        String after = scrape();
        assertThat(value(after, "herald_connections_slow_total") - value(before, "herald_connections_slow_total")).isEqualTo(1);
        assertThat(value(after, "herald_events_dropped_total", "reason", "slow-client")
                - value(before, "herald_events_dropped_total", "reason", "slow-client")).isGreaterThanOrEqualTo(16);
    }

    private void awaitLive(int connections) {
        await().until(() -> hub.connections().size() == connections
                && hub.connections().stream().allMatch(c -> c.state() == ConnectionInfo.State.LIVE));
    }

    private String scrape() throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/prometheus"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    /** The value of the sample with this name and label (if given) in a Prometheus text scrape; NaN if absent. */
    private static double value(String scrape, String name, String... label) {
        Pattern line = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*})? (\\S+)$");
        Matcher matcher = line.matcher(scrape);
        while (matcher.find()) {
            String labels = matcher.group(1) == null ? "" : matcher.group(1);
            if (label.length == 0 || labels.contains(label[0] + "=\"" + label[1] + "\"")) {
                return Double.parseDouble(matcher.group(2));
            }
        }
        return Double.NaN;
    }

    private static void readData(Response response, List<String> data) {
        try {
            String line;
            while ((line = response.body().source().readUtf8Line()) != null) {
                if (line.startsWith("data: ")) {
                    data.add(line.substring(6));
                }
            }
        } catch (java.io.IOException closed) {
            // The test closed the stream.
        }
    }
}
