package dev.herald.spring.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.core.ConnectionInfo;
import dev.herald.core.Event;
import dev.herald.core.Hub;
import dev.herald.core.testing.SseWireClient;
import dev.herald.core.testing.WireClients;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;

@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "herald.retry=100ms",
    "herald.heartbeat=200ms",
    "herald.max-event-size=1KB",
    "herald.cors.allowed-origins=http://localhost:8081",
    "server.compression.enabled=true",
    "server.compression.min-response-size=1",
})
@ExtendWith(OutputCaptureExtension.class)
class HeraldEndpointsTest {

    @LocalServerPort
    int port;

    @Autowired
    Hub hub;

    private final List<AutoCloseable> open = new ArrayList<>();
    private WireClients clients;

    @BeforeEach
    void clients() {
        clients = new WireClients(port);
        open.add(clients);
    }

    @AfterEach
    void closeClients() throws Exception {
        for (AutoCloseable closeable : open) {
            closeable.close();
        }
        await().until(() -> hub.stats().connections() == 0);
    }

    private SseWireClient subscribe(String query, Map<String, String> headers) throws Exception {
        return clients.get("/events?" + query, headers);
    }

    private SseWireClient subscribe(String query) throws Exception {
        return subscribe(query, Map.of());
    }

    private void awaitLive(int connections) {
        await().until(() -> hub.connections().size() == connections
                && hub.connections().stream().allMatch(c -> c.state() == ConnectionInfo.State.LIVE));
    }

    private long storedEvents() {
        return hub.eventLog().readAfter(0, 100_000).events().size();
    }

    @Test
    void streamsAreNeverCompressedEvenWhenTheApplicationCompressesResponses() throws Exception {
        SseWireClient stream = subscribe("topic=news", Map.of("Accept-Encoding", "gzip"));

        assertThat(stream.status()).isEqualTo(200);
        assertThat(stream.header("Content-Type")).startsWith("text/event-stream");
        assertThat(stream.header("Cache-Control")).isEqualTo("no-cache");
        assertThat(stream.header("X-Accel-Buffering")).isEqualTo("no");
        assertThat(stream.header("Content-Encoding")).isNull();
        assertThat(stream.header("Last-Event-ID")).matches("\\d+");
        await().until(() -> stream.text().startsWith("retry: 100\n\n"));
    }

    @Test
    void aHugeBodyIsRefusedWithoutReadingItAll() throws Exception {
        String body = "{\"topic\": \"t\", \"data\": \"" + "y".repeat(200_000) + "\"}";

        HttpResponse<String> response = Http.post(port, "/events", "application/json", body);

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(response.body()).contains("urn:herald:problem:request-too-large");
    }

    static Stream<Arguments> badSubscriptions() {
        return Stream.of(
                Arguments.of("", Map.of(), "invalid-subscription", "topic"),
                Arguments.of("topic=books/%7Bid", Map.of(), "invalid-subscription", "URI template"),
                Arguments.of("topic=t", Map.of("Last-Event-ID", "not-an-id"), "invalid-last-event-id", "not an event id"),
                Arguments.of("topic=t&lastEventId=12%0D%0Aevil", Map.of(), "invalid-last-event-id", "not an event id"));
    }

    @ParameterizedTest
    @MethodSource("badSubscriptions")
    void badSubscriptionsGetAProblemEvenWhenTheClientAcceptsOnlyEventStreams(String query, Map<String, String> headers,
            String type, String detail) throws Exception {
        SseWireClient response = subscribe(query, headers);

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.header("Content-Type")).isEqualTo("application/problem+json");
        response.awaitEnd(Duration.ofSeconds(5));
        assertThat(response.text()).contains("urn:herald:problem:" + type).contains(detail);
        assertThat(hub.stats().connections()).isZero();
    }

    @Test
    void aClientThatVanishesIsReleasedQuietly(CapturedOutput output) throws Exception {
        SseWireClient stream = subscribe("topic=gone");
        awaitLive(1);
        Http.publish(port, "{\"topic\": \"gone\", \"data\": \"before\"}");
        await().until(() -> stream.parser().events().size() == 1);

        stream.abort();
        await().until(() -> hub.stats().connections() == 0);
        for (int i = 0; i < 20; i++) {
            Http.publish(port, "{\"topic\": \"gone\", \"data\": \"after " + i + "\"}");
        }

        assertThat(output.getAll()).doesNotContain("IllegalStateException").doesNotContain("ClientAbortException")
                .doesNotContain(" ERROR ").doesNotContain(" WARN ");
    }

    @Test
    void clientsThatVanishOneAfterAnotherNeverDisturbTheNextStream() throws Exception {
        // The container reuses request and response objects; a write still running when a
        // vanished client's request completes would land in the next client's response.
        for (int i = 0; i < 20; i++) {
            SseWireClient stream = SseWireClient.get(port, "/events?topic=churn");
            awaitLive(1);
            Http.publish(port, "{\"topic\": \"churn\", \"data\": \"n" + i + "\"}");
            await().until(() -> stream.parser().events().size() == 1);
            assertThat(stream.parser().events().getFirst().data()).isEqualTo("n" + i);
            stream.close();
            await().until(() -> hub.stats().connections() == 0);
        }
    }

    @Test
    void allowsConfiguredOriginsWithCredentials() throws Exception {
        HttpResponse<String> allowed = Http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/events?topic=t"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "http://localhost:8081")
                .header("Access-Control-Request-Method", "GET")
                .header("Access-Control-Request-Headers", "last-event-id")
                .build());
        HttpResponse<String> refused = Http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/events?topic=t"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "http://evil.example")
                .header("Access-Control-Request-Method", "GET")
                .build());

        assertThat(allowed.statusCode()).isEqualTo(204);
        assertThat(allowed.headers().firstValue("Access-Control-Allow-Origin")).hasValue("http://localhost:8081");
        assertThat(allowed.headers().firstValue("Access-Control-Allow-Credentials")).hasValue("true");
        assertThat(allowed.headers().firstValue("Access-Control-Allow-Headers").orElseThrow()).containsIgnoringCase("last-event-id");
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(refused.body()).contains("urn:herald:problem:origin-not-allowed");
    }

}
