package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.core.Hub;
import dev.herald.core.Publication;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/** The demo pages in a real headless Chromium, against the real server. */
@SpringBootTest(properties = {
    "server.port=0",
    "herald.data-dir=target/test-data/${random.uuid}",
    "herald.demo.sse-interval=300ms",
    "herald.demo.stream-interval=500ms",
    "herald.heartbeat=500ms",
})
class DemoPagesBrowserTest {

    @LocalServerPort
    int port;

    @Autowired
    Hub hub;

    private ChromeDriver browser;

    @BeforeEach
    void openBrowser() throws Exception {
        browser = Chromium.start();
    }

    @AfterEach
    void closeBrowser() {
        if (browser != null) {
            browser.quit();
        }
        await().atMost(Duration.ofSeconds(15)).until(() -> hub.stats().connections() == 0);
    }

    private void open(String path) {
        browser.get("http://127.0.0.1:" + port + path);
    }

    private List<List<String>> rows(WebElement table) {
        return table.findElements(By.cssSelector("tbody tr")).stream()
                .map(row -> row.findElements(By.tagName("td")).stream().map(WebElement::getText).toList())
                .toList();
    }

    @Test
    void threeUsersConnectAtOnceAndSeeOpenRowsGreetingsAndPublishedEvents() {
        open("/users.html");

        browser.findElement(By.id("connect-all")).click();

        List<WebElement> tables = browser.findElements(By.cssSelector("table.table"));
        assertThat(tables).hasSize(3);
        await().until(() -> tables.stream().allMatch(t -> rows(t).stream().anyMatch(r -> r.get(2).equals("open"))));
        await().until(() -> rows(tables.get(0)).stream().anyMatch(r -> r.get(2).equals("message") && r.get(3).equals("Alpha User")));
        await().until(() -> hub.connections().size() == 3);

        hub.publish(Publication.to("users/Beta User").data("hello beta").build());

        await().until(() -> rows(tables.get(1)).stream().anyMatch(r -> r.get(3).equals("hello beta")));
        List<String> row = rows(tables.get(1)).stream().filter(r -> r.get(3).equals("hello beta")).findFirst().orElseThrow();
        assertThat(row.get(1)).matches("\\d+");
        assertThat(rows(tables.get(0))).noneMatch(r -> r.get(3).equals("hello beta"));
        // The scheduler's time events reach the users too, each with an id.
        await().until(() -> tables.stream().anyMatch(t -> rows(t).stream().anyMatch(r -> r.get(3).startsWith("{\"time\""))));
    }

    @Test
    void theSendFormReachesTheChosenUser() {
        open("/users.html");
        browser.findElements(By.cssSelector(".form input[type=submit]")).get(2).click();
        List<WebElement> tables = browser.findElements(By.cssSelector("table.table"));
        await().until(() -> rows(tables.get(2)).stream().anyMatch(r -> r.get(2).equals("open")));

        WebElement user = browser.findElement(By.cssSelector("#send input[name=user]"));
        user.clear();
        user.sendKeys("Theta User");
        WebElement data = browser.findElement(By.cssSelector("#send input[name=data]"));
        data.clear();
        data.sendKeys("from the form");
        browser.findElement(By.cssSelector("#send input[type=submit]")).click();

        await().until(() -> rows(tables.get(2)).stream().anyMatch(r -> r.get(3).equals("from the form")));
        assertThat(browser.findElement(By.id("send-result")).getText()).startsWith("201 published, id ");
    }

    @Test
    void theToggleDisconnectsAndReconnectsAndTheStreamEndsAfterTenMessages() {
        open("/toggle.html");
        WebElement button = browser.findElement(By.id("toggle"));
        await().until(() -> messages().size() >= 2);

        button.click();
        assertThat(button.getText()).isEqualTo("Connect");
        assertThat(browser.findElement(By.id("state")).getText()).isEqualTo("Disconnected");
        await().until(() -> hub.stats().connections() == 0);
        int seen = messages().size();

        button.click();
        assertThat(button.getText()).isEqualTo("Disconnect");
        await().until(() -> messages().size() > seen);
        assertThat(messages().get(seen)).isEqualTo("Message from the server: Message 1");

        await().atMost(Duration.ofSeconds(20)).until(() -> browser.findElement(By.id("state")).getText().startsWith("Closed"));
        assertThat(messages()).hasSize(seen + 10).last().isEqualTo("Message from the server: Message 10");
    }

    @Test
    void theHomePagePublishesAndWatchesEvents() {
        open("/");
        browser.findElement(By.cssSelector("#watch input[type=submit]")).click();
        await().until(() -> browser.findElement(By.id("watch-status")).getText().startsWith("Subscribed"));

        WebElement data = browser.findElement(By.cssSelector("#publish textarea[name=data]"));
        data.clear();
        data.sendKeys("watched <b>not bold</b>");
        browser.findElement(By.cssSelector("#publish input[type=submit]")).click();

        WebElement table = browser.findElement(By.id("watch-table"));
        await().until(() -> rows(table).stream().anyMatch(r -> r.get(3).equals("watched <b>not bold</b>")));
        assertThat(browser.findElement(By.id("publish-result")).getText()).startsWith("201 published, id ");
        assertThat(table.findElements(By.tagName("b"))).isEmpty();
    }

    private List<String> messages() {
        return browser.findElements(By.cssSelector("#messages p")).stream().map(WebElement::getText).toList();
    }
}
