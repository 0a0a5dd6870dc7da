package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.core.Hub;
import dev.herald.core.Publication;
import dev.herald.netty.testing.TestCertificates;
import dev.herald.netty.testing.Trusting;
import dev.herald.spring.testing.RunningServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.chrome.ChromeDriver;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The standalone server over HTTPS, as a browser and an HTTP/2 client see it: a page opens twelve
 * EventSources to the same origin and every one receives an event, because HTTP/2 carries them all
 * on one connection (over HTTP/1.1 a browser opens six; see {@link Http11BrowserLimitTest}).
 */
@SpringBootTest(properties = {
    "server.port=0",
    "herald.history.store=memory",
    "herald.heartbeat=1s",
    "herald.tls.redirect-port=0",
})
@ExtendWith(OutputCaptureExtension.class)
class HttpsBrowserTest {

    private static final TestCertificates CERTIFICATES;

    static {
        try {
            CERTIFICATES = TestCertificates.write(Files.createTempDirectory("herald-tls"), "herald-server-test");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @DynamicPropertySource
    static void tls(DynamicPropertyRegistry registry) {
        registry.add("herald.tls.certificate", () -> CERTIFICATES.certificate().toString());
        registry.add("herald.tls.private-key", () -> CERTIFICATES.privateKey().toString());
    }

    @Autowired
    Hub hub;

    /** The browser's streams end some time after it quits. */
    @RegisterExtension
    final RunningServer server = new RunningServer(Duration.ofSeconds(15));

    @Test
    void servesHttp2AndHttp11OverTlsByOpenSsl(CapturedOutput output) throws Exception {
        for (HttpClient.Version version : List.of(HttpClient.Version.HTTP_2, HttpClient.Version.HTTP_1_1)) {
            HttpClient client = HttpClient.newBuilder().version(version).sslContext(Trusting.certificates(CERTIFICATES.x509())).build();
            HttpResponse<String> created = client.send(HttpRequest.newBuilder(URI.create("https://localhost:" + server.port() + "/events"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"topic\":\"t\",\"data\":\"x\"}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(created.statusCode()).isEqualTo(201);
            assertThat(created.version()).isEqualTo(version);
            client.shutdownNow();
        }
        assertThat(output.getAll()).contains("HTTPS: HTTP/2 and HTTP/1.1, TLS by OpenSSL").contains("redirects to HTTPS");
    }

    @Test
    void twelveEventSourcesOnOneHttpsOriginAllReceiveAnEvent() throws Exception {
        ChromeDriver browser = Chromium.start("--ignore-certificate-errors");
        try {
            browser.get("https://127.0.0.1:" + server.port() + "/");
            Chromium.openEventSources(browser, 12, "/events?topic=tabs");
            server.awaitLive(12, Duration.ofSeconds(20));

            hub.publish(Publication.to("tabs").data("to every tab").build());

            await().atMost(Duration.ofSeconds(20)).until(() -> Chromium.received(browser).stream().allMatch(count -> count == 1));
        } finally {
            browser.quit();
        }
    }
}
