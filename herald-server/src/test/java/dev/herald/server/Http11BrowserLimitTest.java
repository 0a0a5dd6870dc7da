package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.core.ConnectionInfo;
import dev.herald.core.Hub;
import dev.herald.core.Publication;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.chrome.ChromeDriver;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Why HTTP/2 matters for SSE, shown in a browser: over plain HTTP/1.1 a page's twelve
 * EventSources to one origin get six connections, and the other six wait for one to close; over
 * HTTPS with HTTP/2 all twelve receive events ({@link HttpsBrowserTest}).
 */
@SpringBootTest(properties = {"server.port=0", "herald.history.store=memory", "herald.heartbeat=1s"})
class Http11BrowserLimitTest {

    @LocalServerPort
    int port;

    @Autowired
    Hub hub;

    private ChromeDriver browser;

    @AfterEach
    void close() {
        if (browser != null) {
            browser.quit();
        }
        await().atMost(Duration.ofSeconds(15)).until(() -> hub.stats().connections() == 0);
    }

    @Test
    void overHttp11OnlySixOfTwelveEventSourcesConnect() throws Exception {
        browser = Chromium.start();
        browser.get("http://127.0.0.1:" + port + "/");
        Chromium.openEventSources(browser, 12, "/events?topic=tabs");
        await().atMost(Duration.ofSeconds(20)).until(() -> hub.connections().size() == 6
                && hub.connections().stream().allMatch(c -> c.state() == ConnectionInfo.State.LIVE));

        hub.publish(Publication.to("tabs").data("to every tab").build());

        await().atMost(Duration.ofSeconds(20)).until(() -> Chromium.received(browser).stream().filter(count -> count == 1).count() == 6);
        List<?> states = (List<?>) browser.executeScript("return window.sources.map(s => s.readyState);");
        assertThat(states.stream().filter(state -> ((Number) state).intValue() == 0).count()).as("still connecting").isEqualTo(6);
        assertThat(hub.connections()).hasSize(6);
    }
}
