package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.core.testing.SseWireClient;
import dev.herald.http.TokenMinter;
import dev.herald.spring.testing.RunningServer;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * The dashboard with a token secret configured, as it would face other machines: the page is
 * public, its stream is for admin tokens only (loopback callers are no longer trusted).
 */
@SpringBootTest(properties = {
    "server.port=0",
    "herald.data-dir=target/test-data/${random.uuid}",
    "herald.history.store=memory",
    "herald.auth.jwt.secret=" + DashboardAccessTest.SECRET,
    "herald.heartbeat=1s",
})
class DashboardAccessTest {

    static final String SECRET = "dashboard-test-secret-at-least-32-bytes";

    @RegisterExtension
    final RunningServer server = new RunningServer();

    private static String token(String subject, List<String> subscribe, boolean admin) {
        return TokenMinter.hs256(SECRET.getBytes(StandardCharsets.UTF_8), subject, subscribe, List.of(), false, admin,
                Duration.ofMinutes(5), InstantSource.system());
    }

    private HttpResponse<String> get(String pathAndQuery, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = server.request(pathAndQuery);
        headers.forEach(request::header);
        return server.send(request);
    }

    @Test
    void theStreamIsRefusedWithoutATokenAndToOtherTokensButStreamsSnapshotsToAnAdmin() throws Exception {
        HttpResponse<String> anonymous = get("/dashboard/stream", Map.of());
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(anonymous.body()).contains("admin token");

        String everything = token("alice", List.of("*"), false);
        HttpResponse<String> user = get("/dashboard/stream?access_token=" + everything, Map.of());
        assertThat(user.statusCode()).isEqualTo(403);
        assertThat(user.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(get("/dashboard/stream", Map.of("Authorization", "Bearer " + everything)).statusCode()).isEqualTo(403);
        assertThat(get("/dashboard/stream?access_token=not-a-token", Map.of()).statusCode()).isEqualTo(401);

        SseWireClient admin = server.stream("/dashboard/stream?access_token=" + token("ops", List.of(), true));
        assertThat(admin.status()).isEqualTo(200);
        assertThat(admin.header("Content-Type")).startsWith("text/event-stream");
        await().atMost(Duration.ofSeconds(5)).until(() -> admin.parser().events("snapshot").size() >= 2);
        assertThat(admin.parser().events("snapshot").getLast().data())
                .startsWith("{\"node\":\"local\"")
                .contains("\"connections\":1");
        assertThat(admin.parser().events().stream().map(e -> e.type()).distinct().toList()).containsExactly("snapshot");
    }

    @Test
    void inTheBrowserThePageSaysWhyItIsRefusedUntilAnAdminTokenIsPasted() throws Exception {
        ChromeDriver browser = Chromium.start();
        try {
            browser.get(server.uri("/dashboard").toString());
            await().atMost(Duration.ofSeconds(10)).until(() -> browser.findElement(By.id("refusal")).isDisplayed());
            assertThat(browser.findElement(By.id("refusal")).getText()).startsWith("401 ").contains("admin token");
            assertThat(browser.findElement(By.id("state")).getText()).isEqualTo("Refused");

            browser.findElement(By.id("token-input")).sendKeys(token("ops", List.of(), true));
            browser.findElement(By.cssSelector("#token button[type=submit]")).click();

            await().atMost(Duration.ofSeconds(10)).until(() -> ((Number) browser.executeScript("return window.dashboard.snapshots;")).intValue() >= 1);
            assertThat(browser.findElement(By.id("state")).getText()).isEqualTo("Live");
            assertThat(browser.findElement(By.id("refusal")).isDisplayed()).isFalse();
            assertThat(browser.findElement(By.id("token-status")).getText()).isEqualTo("Admin token set (this tab)");
            assertThat(browser.findElement(By.id("connections")).getText()).isEqualTo("1");
        } finally {
            browser.quit();
        }
    }

    @Test
    void thePageIsPublicAndLoadsNothingFromElsewhere() throws Exception {
        for (String page : List.of("/dashboard", "/dashboard/", "/dashboard/index.html")) {
            HttpResponse<String> response = get(page, Map.of());
            assertThat(response.statusCode()).as(page).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).as(page).hasValue("text/html; charset=utf-8");
            assertThat(response.body()).as(page).contains("/dashboard/dashboard.js").doesNotContain("https://").doesNotContain("http://");
        }
        for (String asset : List.of("/dashboard/dashboard.js", "/dashboard/dashboard.css", "/dashboard/uplot/uplot.js", "/dashboard/uplot/uplot.css")) {
            HttpResponse<String> response = get(asset, Map.of());
            assertThat(response.statusCode()).as(asset).isEqualTo(200);
        }
        assertThat(get("/dashboard/missing.js", Map.of()).statusCode()).isEqualTo(404);
    }
}
