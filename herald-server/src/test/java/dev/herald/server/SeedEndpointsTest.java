package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.core.Hub;
import dev.herald.core.Publication;
import dev.herald.core.testing.SseParser.Received;
import dev.herald.core.testing.SseWireClient;
import dev.herald.spring.testing.RunningServer;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

@SpringBootTest(properties = {
    "server.port=0",
    "herald.data-dir=target/test-data/${random.uuid}",
    "herald.demo.sse-interval=100ms",
    "herald.demo.stream-interval=100ms",
    "herald.heartbeat=200ms",
})
@ExtendWith(OutputCaptureExtension.class)
class SeedEndpointsTest {

    @Autowired
    Hub hub;

    @RegisterExtension
    final RunningServer server = new RunningServer();

    @Test
    void sseSendsTenCustomEventsThenTheServerEndsTheStream() throws Exception {
        SseWireClient stream = server.stream("/sse");

        assertThat(stream.awaitEnd(Duration.ofSeconds(20))).isTrue();
        assertThat(stream.parser().events()).extracting(Received::type).containsOnly("customEvent");
        assertThat(stream.parser().events()).extracting(Received::data)
                .containsExactlyElementsOf(IntStream.rangeClosed(1, 10).mapToObj(i -> "Message " + i).toList());
        await().until(() -> hub.stats().connections() == 0);
    }

    @Test
    void aClientLeavingSseMidStreamLeavesNoErrorsThreadsOrConnections(CapturedOutput output) throws Exception {
        long demoThreadsBefore = threads("herald-demo");
        SseWireClient stream = server.stream("/sse");
        await().until(() -> stream.parser().events().size() >= 2);

        stream.abort();

        await().until(() -> hub.stats().connections() == 0);
        Thread.sleep(1200); // the rest of the ten messages' schedule passes
        assertThat(threads("herald-demo")).isEqualTo(demoThreadsBefore);
        assertThat(output.getAll()).doesNotContain("IllegalStateException").doesNotContain("AsyncContext")
                .doesNotContain(" ERROR ").doesNotContain(" WARN ");
    }

    @Test
    void streamSseGreetsWithTheUserNameThenSendsTheTimeWithAnId() throws Exception {
        SseWireClient stream = server.stream("/stream-sse?user=alice");

        await().until(() -> stream.parser().events().size() >= 2);
        Received greeting = stream.parser().events().get(0);
        Received time = stream.parser().events().get(1);
        assertThat(greeting.type()).isEqualTo("message");
        assertThat(greeting.data()).isEqualTo("alice");
        // The greeting has no id of its own: the client's last event ID is still the stream's start
        // position, sent before it as an id with no data, and older than the first time event's.
        String start = stream.text().lines().filter(line -> line.startsWith("id: ")).findFirst().orElseThrow().substring(4);
        assertThat(greeting.lastEventId()).isEqualTo(start);
        assertThat(time.type()).isEqualTo("message");
        assertThat(time.data()).matches("\\{\"time\":\"\\d{4}-\\d\\d-\\d\\dT[^\"]+Z\"}");
        assertThat(time.lastEventId()).matches("\\d+");
        assertThat(Long.parseLong(time.lastEventId())).isGreaterThan(Long.parseLong(start));
    }

    @Test
    void streamSseSendsEachTimeEventToOneUserChosenAtRandom() throws Exception {
        SseWireClient alice = server.stream("/stream-sse?user=alice");
        SseWireClient bob = server.stream("/stream-sse?user=bob");
        SseWireClient carol = server.stream("/stream-sse?user=carol");

        await().until(() -> times(alice) > 0 && times(bob) > 0 && times(carol) > 0);
        List<String> ids = new ArrayList<>();
        for (SseWireClient stream : List.of(alice, bob, carol)) {
            stream.parser().events().stream().filter(e -> e.data().startsWith("{\"time\"")).forEach(e -> ids.add(e.lastEventId()));
        }
        assertThat(ids).doesNotHaveDuplicates();
    }

    @Test
    void streamSseKeepsOneConnectionPerUser() throws Exception {
        SseWireClient first = server.stream("/stream-sse?user=dan");
        await().until(() -> hub.stats().connections() == 1);

        SseWireClient second = server.stream("/stream-sse?user=dan");

        assertThat(first.awaitEnd(Duration.ofSeconds(5))).isTrue();
        assertThat(second.status()).isEqualTo(200);
        await().until(() -> hub.stats().connections() == 1);
    }

    @Test
    void connectSendsAFirstEventWithRetryAndAReconnectReplacesTheOlderStream() throws Exception {
        SseWireClient first = server.stream("/connect/42");
        await().until(() -> first.parser().events().size() == 1);
        assertThat(first.parser().events().getFirst().type()).isEqualTo("connect");
        assertThat(first.parser().retry()).isEqualTo(500);

        SseWireClient second = server.stream("/connect/42");

        assertThat(first.awaitEnd(Duration.ofSeconds(5))).isTrue();
        server.awaitLive(1);
        hub.publish(Publication.to("users/42").data("for 42").build());
        await().until(() -> second.parser().events().size() == 2);
        assertThat(second.parser().events().get(1).data()).isEqualTo("for 42");
    }

    @Test
    void uriTemplatesMayBeSentUnencodedAsBrowsersDo() throws Exception {
        SseWireClient stream = server.stream("/events?topic=books/{id}");
        assertThat(stream.status()).isEqualTo(200);
        server.awaitLive(1);

        hub.publish(Publication.to("books/7").data("a book").build());

        await().until(() -> stream.parser().events().size() == 1);
        assertThat(stream.parser().events().getFirst().data()).isEqualTo("a book");
    }

    @Test
    void theSeedsFrontEndOriginMayConnect() throws Exception {
        HttpResponse<String> preflight = server.send(server.request("/sse")
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "http://localhost:8081")
                .header("Access-Control-Request-Method", "GET"));

        assertThat(preflight.statusCode()).isEqualTo(204);
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).hasValue("http://localhost:8081");
    }

    @Test
    void healthIsUpAndMetricsShowTheHub() throws Exception {
        HttpResponse<String> health = server.send(server.request("/actuator/health"));
        HttpResponse<String> metrics = server.send(server.request("/actuator/prometheus"));

        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("\"status\":\"UP\"");
        assertThat(metrics.body()).contains("herald_connections").contains("herald_events_published_total");
    }

    @Test
    void servesTheDemoPagesWithoutAnyCdn() throws Exception {
        for (String page : List.of("/", "/users.html", "/toggle.html")) {
            HttpResponse<String> response = server.send(server.request(page));
            assertThat(response.statusCode()).as(page).isEqualTo(200);
            assertThat(response.body()).as(page).contains("<html").doesNotContain("https://");
        }
    }

    private static long times(SseWireClient stream) {
        return stream.parser().events().stream().filter(e -> e.data().startsWith("{\"time\"")).count();
    }

    private static long threads(String name) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(name) && t.isAlive()).count();
    }
}
