package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.core.Hub;
import dev.herald.core.testing.SseWireClient;
import dev.herald.core.testing.WireClients;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The live dashboard in a real headless Chromium, against the real server: as streams open and
 * events are published, its charts, tiles and tables follow, and the last events show topics,
 * types and sizes but never the data. Saves a screenshot to {@code target/dashboard.png}; with
 * {@code -Dherald.dashboard.screenshot=docs/dashboard.png} (relative to the repository) also there,
 * for the README.
 */
@SpringBootTest(properties = {
    "server.port=0",
    "herald.data-dir=target/test-data/${random.uuid}",
    "herald.history.store=memory",
    "herald.heartbeat=1s",
    "herald.demo.stream-interval=1h",
})
class DashboardBrowserTest {

    private static final String LATENCY_TIMER = "herald.delivery.latency";
    private static final String SECRET_DATA = "card ending 4242";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    @Autowired
    Hub hub;

    @Autowired
    MeterRegistry registry;

    private ChromeDriver browser;
    private WireClients clients;

    @BeforeEach
    void openBrowser() throws Exception {
        browser = Chromium.start();
        browser.manage().window().setSize(new Dimension(1360, 1240));
        clients = new WireClients(port);
    }

    @AfterEach
    void close() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (clients != null) {
            clients.close();
        }
        await().atMost(Duration.ofSeconds(15)).until(() -> hub.stats().connections() == 0);
    }

    @Test
    void theDashboardFollowsConnectionsRatesTopicsNodesAndEventsWithoutShowingTheirData() throws Exception {
        // Until the starter registers the delivery latency timer, the test times deliveries itself,
        // publish to receipt on a stream, so the latency chart has something real to show.
        Timer latency = registry.find(LATENCY_TIMER).timer() != null ? null
                : Timer.builder(LATENCY_TIMER).publishPercentiles(0.5, 0.9, 0.99).register(registry);

        browser.get("http://127.0.0.1:" + port + "/dashboard");
        await().atMost(Duration.ofSeconds(10)).until(() -> snapshots() >= 1);
        assertThat(browser.getPageSource()).doesNotContain("https://");
        assertThat(text("state")).isEqualTo("Live");
        assertThat(shownConnections()).isEqualTo(1); // the dashboard's own stream

        List<SseWireClient> streams = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            streams.add(clients.get("/events?topic=orders/%7Bid%7D"));
        }
        streams.add(clients.get("/events?topic=news"));
        streams.add(clients.get("/events?topic=news"));
        streams.add(clients.get("/events?topic=chat/%7Broom%7D"));
        await().until(() -> shownConnections() == 7);

        // Traffic that rises and falls, so the rate chart has a shape, until the screenshot is taken.
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread traffic = Thread.ofVirtual().name("dashboard-traffic").start(() -> {
            try {
                int orders = 0;
                for (int round = 0; !stop.get(); round++) {
                    for (int i = 0; i < 1 + (round % 5); i++) {
                        orders++;
                        publish("orders/" + orders, "order-paid", SECRET_DATA, streams.getFirst(), orders, latency);
                    }
                    if (round % 2 == 0) {
                        publish("news", "headline", "Herald ships a dashboard", null, 0, null);
                    }
                    Thread.sleep(300);
                }
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        try {
            await().until(() -> rows("topics").equals(List.of(List.of("orders/{id}", "3"), List.of("news", "2"), List.of("chat/{room}", "1"))));
            assertThat(rows("nodes")).containsExactly(List.of("local", "7"));
            assertThat(text("cluster-connections")).isEqualTo("7");
            await().until(() -> rows("events").size() == 20);
            await().until(() -> rows("events").stream().anyMatch(row -> row.subList(1, 4).equals(List.of("news", "headline", "24 B")))
                    && rows("events").stream().anyMatch(row -> row.get(1).startsWith("orders/")
                            && row.subList(2, 4).equals(List.of("order-paid", SECRET_DATA.length() + " B"))));
            assertThat(browser.findElement(By.tagName("body")).getText()).doesNotContain(SECRET_DATA).doesNotContain("Herald ships");

            // The charts' data: connections rose, and the rates and latency saw the traffic.
            assertThat(series("connections")).contains(1.0, 7.0);
            await().until(() -> series("published").stream().anyMatch(rate -> rate > 1)
                    && series("delivered").stream().anyMatch(rate -> rate > 3)
                    && series("p99").stream().anyMatch(Objects::nonNull));
            assertThat(browser.findElement(By.id("latency-note")).isDisplayed()).isFalse();
            assertThat(text("latency-p99")).endsWith(" ms");

            await().until(() -> series("time").size() >= 6 && Double.valueOf(text("published-rate").replace(",", "")) > 0);
            screenshot();
        } finally {
            stop.set(true);
            traffic.join(Duration.ofSeconds(10));
        }
        assertThat(failure.get()).isNull();

        // Everything the page loaded came from the server itself.
        List<?> loaded = (List<?>) browser.executeScript("return performance.getEntriesByType('resource').map(e => e.name);");
        assertThat(loaded).isNotEmpty().allSatisfy(url -> assertThat(url.toString()).startsWith("http://127.0.0.1:" + port + "/"));
    }

    /** Publishes with the HTTP API; with a stream and a timer, times until the stream has the {@code nth} event. */
    private void publish(String topic, String type, String data, SseWireClient stream, int nth, Timer latency) throws Exception {
        long start = System.nanoTime();
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/events"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"topic\":\"" + topic + "\",\"type\":\"" + type + "\",\"data\":\"" + data + "\"}"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        if (stream != null && latency != null) {
            long deadline = start + Duration.ofSeconds(5).toNanos();
            while (stream.parser().events(type).size() < nth && System.nanoTime() < deadline) {
                Thread.sleep(0, 200_000);
            }
            latency.record(Duration.ofNanos(System.nanoTime() - start));
        }
    }

    private long snapshots() {
        return (Long) browser.executeScript("return window.dashboard ? window.dashboard.snapshots : 0;");
    }

    private String text(String id) {
        return browser.findElement(By.id(id)).getText();
    }

    private int shownConnections() {
        String shown = text("connections");
        return shown.matches("\\d+") ? Integer.parseInt(shown) : -1;
    }

    /** A table's rows as text, read in one go: the page rebuilds its tables every second. */
    private List<List<String>> rows(String table) {
        List<?> rows = (List<?>) browser.executeScript("return [...document.querySelectorAll('#' + arguments[0] + ' tbody tr')]"
                + ".map(row => [...row.cells].map(cell => cell.textContent)).filter(cells => cells.length > 1);", table);
        return rows.stream().map(row -> ((List<?>) row).stream().map(String::valueOf).toList()).toList();
    }

    /** One of the charts' series, as the page holds it ({@code window.dashboard.data}). */
    private List<Double> series(String name) {
        List<?> values = (List<?>) browser.executeScript("return window.dashboard.data[arguments[0]];", name);
        return values.stream().map(value -> value == null ? null : ((Number) value).doubleValue()).toList();
    }

    private void screenshot() throws Exception {
        byte[] png = browser.getScreenshotAs(OutputType.BYTES);
        Path artifact = Path.of("target", "dashboard.png");
        Files.createDirectories(artifact.getParent());
        Files.write(artifact, png);
        String copy = System.getProperty("herald.dashboard.screenshot");
        if (copy != null && !copy.isBlank()) {
            Path target = repositoryRoot().resolve(copy);
            Files.createDirectories(target.toAbsolutePath().getParent());
            Files.write(target, png);
        }
    }

    /** The repository's root (where {@code mvnw} is), which relative screenshot paths start from. */
    private static Path repositoryRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.exists(dir.resolve("mvnw"))) {
                return dir;
            }
        }
        return Path.of("").toAbsolutePath();
    }
}
