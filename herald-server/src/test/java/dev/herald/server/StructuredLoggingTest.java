package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.core.ConnectionInfo;
import dev.herald.core.Hub;
import dev.herald.core.Publication;
import dev.herald.core.testing.SseWireClient;
import dev.herald.core.testing.WireClients;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.boot.logging.LoggingSystemProperty;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The server's logs as JSON (Spring Boot's structured logging in the ECS format): every line, the
 * access log of non-stream requests (off unless its logger is turned on), and a line about one
 * connection carrying the connection's id as a field.
 *
 * <p>Logging is one per JVM, and Spring Boot configures it only while no other application has:
 * as long as an earlier test's context is open (Spring's test context cache keeps them open), a new
 * context's {@code logging.*} settings are ignored and it logs in the earlier context's format. So
 * this test releases logging before its context starts, and afterwards closes its context (which
 * releases logging again) and puts back the logging system properties it found, so that the next
 * context configures logging from its own settings.
 */
@SpringBootTest(properties = {
    "server.port=0",
    "herald.history.store=memory",
    "herald.demo.stream-interval=1h",
    "herald.queue-capacity=16",
    "logging.structured.format.console=ecs",
    "logging.level.dev.herald.access=debug",
})
@ExtendWith(OutputCaptureExtension.class)
@DirtiesContext
class StructuredLoggingTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Map<String, String> systemPropertiesBefore = new HashMap<>();

    @LocalServerPort
    int port;

    @Autowired
    Hub hub;

    @BeforeAll
    static void releaseLoggingFromEarlierContexts() {
        for (LoggingSystemProperty property : LoggingSystemProperty.values()) {
            String name = property.getEnvironmentVariableName();
            systemPropertiesBefore.put(name, System.getProperty(name));
        }
        LoggingSystem.get(StructuredLoggingTest.class.getClassLoader()).cleanUp();
    }

    @AfterAll
    static void restoreLoggingSystemProperties() {
        // Boot sets these only where unset: left behind, this test's format would be the next context's.
        systemPropertiesBefore.forEach((name, value) -> {
            if (value == null) {
                System.clearProperty(name);
            } else {
                System.setProperty(name, value);
            }
        });
    }

    @Test
    void everyLineIsAnEcsJsonDocumentAndNonStreamRequestsAreLoggedWithoutTheirQuery(CapturedOutput output) throws Exception {
        HttpResponse<String> published = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/events?access_token=secret-token"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"topic\": \"logged\", \"data\": \"x\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(published.statusCode()).isEqualTo(201);

        await().atMost(Duration.ofSeconds(10)).until(() -> output.getOut().contains("POST /events 201"));

        List<JsonNode> lines = jsonLines(output);
        assertThat(lines).as("structured lines").isNotEmpty();
        for (JsonNode line : lines) {
            assertThat(line.has("@timestamp")).as(line.toString()).isTrue();
            assertThat(line.path("log").path("level").asString("") + line.path("log.level").asString("")).as(line.toString()).isNotEmpty();
            assertThat(line.has("message")).as(line.toString()).isTrue();
        }
        JsonNode access = lines.stream().filter(line -> line.path("message").asString().startsWith("POST /events 201")).findFirst().orElseThrow();
        assertThat(access.path("log").path("logger").asString()).isEqualTo("dev.herald.access");
        assertThat(access.path("http").path("method").asString()).isEqualTo("POST");
        assertThat(access.path("http").path("status").asString()).isEqualTo("201");
        assertThat(access.path("url").path("path").asString()).isEqualTo("/events");
        assertThat(access.path("client").path("address").asString()).isEqualTo("127.0.0.1");
        assertThat(output.getOut()).doesNotContain("secret-token");
    }

    @Test
    void theLineAboutAClientDroppedForFallingBehindCarriesItsConnectionId(CapturedOutput output) throws Exception {
        try (WireClients clients = new WireClients(port)) {
            SseWireClient stalled = clients.stalled("/events?topic=logged/firehose");
            assertThat(stalled.status()).isEqualTo(200);
            await().until(() -> hub.connections().size() == 1
                    && hub.connections().getFirst().state() == ConnectionInfo.State.LIVE);
            long id = hub.connections().getFirst().id();
            long slowBefore = hub.stats().slowDisconnects();

            // The kernel's buffers fill first, then Netty's, then the queue of 16.
            String filler = "f".repeat(6 * 1024);
            for (int i = 0; i < 5000 && hub.stats().slowDisconnects() == slowBefore; i++) {
                hub.publish(Publication.to("logged/firehose").data(i + " " + filler).build());
            }

            String message = "Connection " + id + " (user null) fell too far behind";
            JsonNode dropped = await().atMost(Duration.ofSeconds(10)).until(() -> jsonLines(output).stream()
                    .filter(line -> line.path("message").asString().startsWith(message)).findFirst(), Optional::isPresent)
                    .orElseThrow();
            assertThat(dropped.path("log").path("logger").asString()).isEqualTo("dev.herald.core.internal.StreamConnection");
            assertThat(dropped.path("herald").path("connection").path("id").asString()).isEqualTo(Long.toString(id));
            assertThat(dropped.path("herald").has("user")).as("an anonymous stream has no user id").isFalse();
        }
    }

    private static List<JsonNode> jsonLines(CapturedOutput output) {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : output.getOut().split("\n")) {
            if (line.startsWith("{")) {
                lines.add(JSON.readTree(line));
            }
        }
        return lines;
    }
}
