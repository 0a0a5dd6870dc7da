package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.core.Hub;
import dev.herald.core.Publication;
import dev.herald.spring.testing.RunningServer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.chrome.ChromeDriver;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * Why HTTP/2 matters for SSE, shown in a browser: over plain HTTP/1.1 a page's twelve
 * EventSources to one origin get six connections, and the other six wait for one to close; over
 * HTTPS with HTTP/2 all twelve receive events ({@link HttpsBrowserTest}).
 */
@SpringBootTest(properties = {"server.port=0", "herald.history.store=memory", "herald.heartbeat=1s"})
class Http11BrowserLimitTest {

    @Autowired
    Hub hub;

    /** The browser's streams end some time after it quits. */
    @RegisterExtension
    final RunningServer server = new RunningServer(Duration.ofSeconds(15));

    @Test
    void overHttp11OnlySixOfTwelveEventSourcesConnect() throws Exception {
        ChromeDriver browser = Chromium.start();
        try {
            browser.get(server.uri("/").toString());
            Chromium.openEventSources(browser, 12, "/events?topic=tabs");
            server.awaitLive(6, Duration.ofSeconds(20));

            hub.publish(Publication.to("tabs").data("to every tab").build());

            await().atMost(Duration.ofSeconds(20)).until(() -> Chromium.received(browser).stream().filter(count -> count == 1).count() == 6);
            List<?> states = (List<?>) browser.executeScript("return window.sources.map(s => s.readyState);");
            assertThat(states.stream().filter(state -> ((Number) state).intValue() == 0).count()).as("still connecting").isEqualTo(6);
            assertThat(hub.connections()).hasSize(6);
        } finally {
            browser.quit();
        }
    }
}
