package dev.herald.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.launchdarkly.eventsource.ConnectStrategy;
import com.launchdarkly.eventsource.ErrorStrategy;
import com.launchdarkly.eventsource.EventSource;
import com.launchdarkly.eventsource.MessageEvent;
import dev.herald.core.ConnectionInfo;
import dev.herald.core.ConnectionLimits;
import dev.herald.core.HeartbeatPolicy;
import dev.herald.core.Hub;
import dev.herald.core.Publication;
import dev.herald.core.SseMessage;
import dev.herald.core.SubscribeRequest;
import dev.herald.core.Subscriber;
import dev.herald.core.testing.SseWireClient;
import dev.herald.core.testing.WireClients;
import dev.herald.http.CorsPolicy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HeraldNettyServerTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private Hub hub;
    private HeraldNettyServer server;
    private WireClients clients;

    @BeforeEach
    void start() throws Exception {
        start(Hub.builder().retry(Duration.ofMillis(100)).heartbeat(HeartbeatPolicy.disabled())
                .limits(ConnectionLimits.of(200, 2)).queueCapacity(32).maxDataBytes(1024));
    }

    private void start(Hub.Builder hubBuilder) throws Exception {
        hub = hubBuilder.build();
        server = HeraldNettyServer.builder(hub).host("127.0.0.1").port(0).maxEventBytes(1024).socketSendBuffer(16 * 1024)
                .stream("/hello", new StreamRoute() {
                    @Override
                    public SubscribeRequest subscription(dev.herald.http.HttpRequestView request, dev.herald.http.Access access) {
                        return SubscribeRequest.topics("hello").subscriber(Subscriber.user(request.parameter("name"))).build();
                    }

                    @Override
                    public void opened(dev.herald.core.Connection connection, dev.herald.http.HttpRequestView request) {
                        connection.send(SseMessage.of("greeting", "hi " + request.parameter("name")));
                    }
                })
                .streamsUnder("/users/", (request, access) -> SubscribeRequest.topics(request.path().substring(1)).build())
                .responder((request, path) -> path.equals("/other") ? text("other") : null)
                .build().start();
        clients = new WireClients(server.port());
    }

    private static io.netty.handler.codec.http.FullHttpResponse text(String body) {
        byte[] bytes = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        io.netty.handler.codec.http.FullHttpResponse response = new io.netty.handler.codec.http.DefaultFullHttpResponse(
                io.netty.handler.codec.http.HttpVersion.HTTP_1_1, io.netty.handler.codec.http.HttpResponseStatus.OK,
                io.netty.buffer.Unpooled.wrappedBuffer(bytes));
        response.headers().set("Content-Type", "text/plain").setInt("Content-Length", bytes.length);
        return response;
    }

    @AfterEach
    void stop() throws Exception {
        clients.close();
        hub.close();
        server.close();
    }

    private HttpResponse<String> post(String contentType, String body) throws Exception {
        java.net.http.HttpRequest.Builder request = java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/events"))
                .timeout(Duration.ofSeconds(10)).POST(BodyPublishers.ofString(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private void awaitLive(int connections) {
        await().until(() -> hub.connections().size() == connections
                && hub.connections().stream().allMatch(c -> c.state() == ConnectionInfo.State.LIVE));
    }

    @Test
    void streamsCarryTheExpectedHeadersAndStartWithRetry() throws Exception {
        SseWireClient stream = clients.get("/events?topic=news");

        assertThat(stream.status()).isEqualTo(200);
        assertThat(stream.header("Content-Type")).isEqualTo("text/event-stream");
        assertThat(stream.header("Cache-Control")).isEqualTo("no-cache");
        assertThat(stream.header("X-Accel-Buffering")).isEqualTo("no");
        assertThat(stream.header("Transfer-Encoding")).isNull();
        assertThat(stream.header("Connection")).isEqualTo("close");
        assertThat(stream.header("Last-Event-ID")).matches("\\d+");
        await().until(() -> stream.text().startsWith("retry: 100\n\n"));
    }

    @Test
    void aPublishedEventArrivesOnTheWireExactlyAsEncoded() throws Exception {
        SseWireClient stream = clients.get("/events?topic=orders/%7Bid%7D");
        awaitLive(1);

        HttpResponse<String> response = post("application/json", "{\"topic\": \"orders/1\", \"type\": \"paid\", \"data\": {\"a\": [1]}}");

        assertThat(response.statusCode()).isEqualTo(201);
        String id = response.body().replaceAll("\\{\"id\":\"(\\d+)\"}", "$1");
        await().until(() -> stream.text().contains("data:"));
        assertThat(stream.text()).endsWith("id: " + id + "\nevent: paid\ndata: {\"a\":[1]}\n\n");
    }

    @Test
    void aClientThatLeavesIsReleasedAtOnceWithoutAnyWrite() throws Exception {
        SseWireClient stream = clients.get("/events?topic=t");
        awaitLive(1);

        stream.abort();

        // No heartbeat and no event: Netty sees the socket close by itself.
        await().atMost(Duration.ofSeconds(5)).until(() -> hub.stats().connections() == 0);
    }

    @Test
    void badRequestsGetProblemsAndStoreNothing() throws Exception {
        long before = hub.eventLog().readAfter(0, 1000).events().size();

        assertThat(post("application/json", "{\"topic\": \"t\", \"type\": \"a\\nb\"}")).satisfies(r -> {
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            assertThat(r.body()).contains("urn:herald:problem:invalid-event");
        });
        assertThat(post("application/json", "{\"topic\": \"t\", \"data\": \"" + "x".repeat(1025) + "\"}").statusCode()).isEqualTo(413);
        assertThat(post("application/json", "{\"topic\": \"t\", \"data\": \"" + "x".repeat(40_000) + "\"}").body())
                .contains("request-too-large");
        assertThat(post("text/plain", "{\"topic\": \"t\"}").statusCode()).isEqualTo(415);
        assertThat(post("application/json", "{\"topic\": ").body()).contains("malformed JSON");
        assertThat(get("/events").body()).contains("invalid-subscription");
        assertThat(get("/events?topic=t&lastEventId=garbage").statusCode()).isEqualTo(400);

        assertThat(hub.eventLog().readAfter(0, 1000).events()).hasSize((int) before);
        assertThat(post("application/json", "{\"topic\": \"t\"}").statusCode()).isEqualTo(201);
    }

    @Test
    void limitsRefuseWith429AndRetryAfter() throws Exception {
        clients.get("/events?topic=t&user=a");
        clients.get("/events?topic=t&user=a");

        SseWireClient third = clients.get("/events?topic=t&user=a");

        assertThat(third.status()).isEqualTo(429);
        assertThat(third.header("Retry-After")).isEqualTo("10");
        third.awaitEnd(Duration.ofSeconds(5));
        assertThat(third.text()).contains("too-many-connections");
    }

    @Test
    void anIndependentClientResumesWithoutLossAfterItsConnectionDrops() throws Exception {
        EventSource client = new EventSource.Builder(ConnectStrategy.http(URI.create("http://127.0.0.1:" + server.port() + "/events?topic=feed")))
                .errorStrategy(ErrorStrategy.alwaysContinue()).retryDelay(100, TimeUnit.MILLISECONDS).build();
        try {
            client.start();
            awaitLive(1);
            List<String> received = new ArrayList<>();
            for (int i = 1; i <= 5; i++) {
                post("application/json", "{\"topic\": \"feed\", \"data\": \"e" + i + "\"}");
            }
            for (int i = 0; i < 5; i++) {
                received.add(client.readMessage().getData());
            }
            client.interrupt();
            for (int i = 6; i <= 10; i++) {
                post("application/json", "{\"topic\": \"feed\", \"data\": \"e" + i + "\"}");
            }
            MessageEvent message;
            while (received.size() < 10 && (message = client.readMessage()) != null) {
                received.add(message.getData());
            }
            assertThat(received).containsExactly("e1", "e2", "e3", "e4", "e5", "e6", "e7", "e8", "e9", "e10");
        } finally {
            client.close();
        }
    }

    @Test
    void aSubscriberThatStopsReadingIsDisconnectedWhileOthersReceiveEverything() throws Exception {
        clients.stalled("/events?topic=firehose");
        List<SseWireClient> readers = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            readers.add(clients.get("/events?topic=firehose"));
        }
        awaitLive(51);
        String payload = "x".repeat(1000);

        int events = 0;
        for (int wave = 0; wave < 40 && hub.stats().slowDisconnects() == 0 || wave < 5; wave++) {
            for (int i = 0; i < 20; i++) {
                hub.publish(Publication.to("firehose").data(payload).build());
                events++;
            }
            int expected = events;
            await().until(() -> readers.stream().allMatch(r -> r.parser().events().size() == expected));
        }

        assertThat(hub.stats().slowDisconnects()).isEqualTo(1);
        assertThat(hub.stats().connections()).isEqualTo(50);
    }

    @Test
    void applicationStreamRoutesAndOtherHandlersShareThePort() throws Exception {
        SseWireClient hello = clients.get("/hello?name=kim");
        SseWireClient user = clients.get("/users/7");
        awaitLive(2);
        hub.publish(Publication.to("users/7").data("for 7").build());

        await().until(() -> hello.parser().events().size() == 1 && user.parser().events().size() == 1);
        assertThat(hello.parser().events().getFirst().data()).isEqualTo("hi kim");
        assertThat(user.parser().events().getFirst().data()).isEqualTo("for 7");
        assertThat(get("/other").body()).isEqualTo("other");
        assertThat(get("/missing").statusCode()).isEqualTo(404);
    }

    @Test
    void pipelinedPublishesAreAnsweredInOrder() throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
            StringBuilder requests = new StringBuilder();
            for (int i = 0; i < 20; i++) {
                String body = "{\"topic\": \"p\", \"data\": \"" + i + "\"}";
                requests.append("POST /events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ")
                        .append(body.length()).append("\r\n\r\n").append(body);
            }
            socket.getOutputStream().write(requests.toString().getBytes());
            socket.getOutputStream().flush();
            socket.setSoTimeout(10_000);
            java.io.InputStream in = socket.getInputStream();
            StringBuilder answers = new StringBuilder();
            while (java.util.regex.Pattern.compile("\"id\":\"\\d+\"}").matcher(answers).results().count() < 20) {
                int c = in.read();
                if (c < 0) {
                    break;
                }
                answers.append((char) c);
            }
            List<Long> ids = java.util.regex.Pattern.compile("\"id\":\"(\\d+)\"").matcher(answers).results()
                    .map(m -> Long.parseLong(m.group(1))).toList();
            assertThat(ids).hasSize(20).isSorted();
            List<String> stored = hub.eventLog().readAfter(ids.getFirst() - 1, 100).events().stream().map(e -> e.data()).toList();
            assertThat(stored).containsExactlyElementsOf(java.util.stream.IntStream.range(0, 20).mapToObj(Integer::toString).toList());
        }
    }

    @Test
    void aPortInUseFailsTheStartAndLeavesNoThreadsBehind() {
        HeraldNettyServer second = HeraldNettyServer.builder(hub).host("127.0.0.1").port(server.port()).build();

        org.assertj.core.api.Assertions.assertThatThrownBy(second::start)
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("cannot listen on 127.0.0.1:" + server.port());
        await().until(() -> Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("herald-netty-")).count() <= 3); // the running server's own
    }

    @Test
    void allowsConfiguredOriginsAndRefusesOthers() throws Exception {
        hub.close();
        server.close();
        start(Hub.builder().retry(Duration.ofMillis(100)));
        server.close();
        server = HeraldNettyServer.builder(hub).host("127.0.0.1").port(0)
                .cors(CorsPolicy.allow(List.of("http://localhost:8081", "https://*.example.com"))).build().start();
        HttpResponse<String> preflight = HTTP.send(java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/events"))
                .method("OPTIONS", BodyPublishers.noBody()).header("Origin", "https://app.example.com")
                .header("Access-Control-Request-Method", "POST").build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> refused = HTTP.send(java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/events?topic=t"))
                .header("Origin", "http://evil.example").build(), HttpResponse.BodyHandlers.ofString());

        assertThat(preflight.statusCode()).isEqualTo(204);
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://app.example.com");
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Credentials")).hasValue("true");
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.body()).contains("origin-not-allowed");
    }

    @Test
    void closingTheHubEndsEveryStream() throws Exception {
        SseWireClient a = clients.get("/events?topic=t");
        SseWireClient b = clients.get("/events?topic=u");
        awaitLive(2);

        hub.close();

        assertThat(a.awaitEnd(Duration.ofSeconds(5))).isTrue();
        assertThat(b.awaitEnd(Duration.ofSeconds(5))).isTrue();
        assertThat(Map.of("a", a.ended(), "b", b.ended())).containsValues(true, true);
    }
    @Test
    void sinceLastStartsANewDeviceAfterWhatItsUserWasDelivered() throws Exception {
        SseWireClient laptop = clients.get("/events?topic=inbox&user=dana&since=last");
        awaitLive(1);
        assertThat(post("application/json", "{\"topic\": \"inbox\", \"data\": \"read on the laptop\"}").statusCode()).isEqualTo(201);
        await().until(() -> laptop.parser().events().size() == 1);
        laptop.close();
        await().until(() -> hub.connections().isEmpty());
        assertThat(post("application/json", "{\"topic\": \"inbox\", \"data\": \"sent while away\"}").statusCode()).isEqualTo(201);

        SseWireClient phone = clients.get("/events?topic=inbox&user=dana&since=last");

        await().until(() -> phone.parser().events().size() == 1);
        assertThat(phone.parser().events().getFirst().data()).isEqualTo("sent while away");
    }

    @Test
    void sinceAcceptsOnlyLastAndNeedsAUser() throws Exception {
        HttpResponse<String> unknown = get("/events?topic=t&user=a&since=yesterday");
        HttpResponse<String> anonymous = get("/events?topic=t&since=last");

        for (HttpResponse<String> r : List.of(unknown, anonymous)) {
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            assertThat(r.body()).contains("urn:herald:problem:invalid-subscription");
        }
        assertThat(hub.connections()).isEmpty();
    }
    @Test
    void aRequestPipelinedBehindAPublishStillBeingStoredIsAnsweredAfterIt() throws Exception {
        stop();
        // A log that stores each event 300 ms after it is asked to, as a database might.
        dev.herald.core.EventLog memory = dev.herald.core.EventLog.inMemory(dev.herald.core.RetentionPolicy.defaults());
        dev.herald.core.EventLog slow = new dev.herald.core.EventLog() {
            @Override
            public dev.herald.core.Event append(Publication publication) {
                return memory.append(publication);
            }

            @Override
            public java.util.concurrent.CompletableFuture<dev.herald.core.Event> appendAsync(Publication publication) {
                return java.util.concurrent.CompletableFuture.supplyAsync(() -> memory.append(publication),
                        java.util.concurrent.CompletableFuture.delayedExecutor(300, TimeUnit.MILLISECONDS));
            }

            @Override
            public dev.herald.core.LogPage readAfter(long afterId, int limit) {
                return memory.readAfter(afterId, limit);
            }

            @Override
            public void close() {
                memory.close();
            }
        };
        start(Hub.builder().eventLog(slow).heartbeat(HeartbeatPolicy.disabled()));
        String body = "{\"topic\": \"t\", \"data\": \"slowly stored\"}";
        String pipelined = "POST /events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " + body.length()
                + "\r\n\r\n" + body
                + "GET /other HTTP/1.1\r\nHost: x\r\n\r\n"
                + "POST /events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " + body.length()
                + "\r\nConnection: close\r\n\r\n" + body;

        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(pipelined.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String responses = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);

            int first = responses.indexOf("HTTP/1.1 201");
            int other = responses.indexOf("HTTP/1.1 200");
            int second = responses.indexOf("HTTP/1.1 201", first + 1);
            assertThat(first).as(responses).isGreaterThanOrEqualTo(0);
            assertThat(other).as("the GET answered after the first publish: %s", responses).isGreaterThan(first);
            assertThat(second).as("and before the second: %s", responses).isGreaterThan(other);
        }
    }
    @Test
    void readingAUsersDeliveryCursorDoesNotHoldUpTheEventLoop() throws Exception {
        stop();
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        dev.herald.core.DeliveryCursors memory = dev.herald.core.DeliveryCursors.inMemory();
        // Cursors on a database that takes its time to answer.
        dev.herald.core.DeliveryCursors slow = new dev.herald.core.DeliveryCursors() {
            @Override
            public void delivered(String key, long position) {
                memory.delivered(key, position);
            }

            @Override
            public java.util.OptionalLong lastDelivered(String key) {
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return memory.lastDelivered(key);
            }

            @Override
            public void close() {
            }
        };
        hub = Hub.builder().heartbeat(HeartbeatPolicy.disabled()).deliveryCursors(slow).build();
        server = HeraldNettyServer.builder(hub).host("127.0.0.1").port(0).ioThreads(1).build().start();
        clients = new WireClients(server.port());

        java.util.concurrent.CompletableFuture<SseWireClient> opening = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return clients.get("/events?topic=inbox&user=gus&since=last");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        Thread.sleep(200); // the subscribe is now waiting for the cursor

        // The only event loop still serves other requests.
        assertThat(post("application/json", "{\"topic\": \"elsewhere\", \"data\": \"x\"}").statusCode()).isEqualTo(201);
        assertThat(opening).isNotDone();
        release.countDown();
        SseWireClient stream = opening.get(10, TimeUnit.SECONDS);
        assertThat(stream.status()).isEqualTo(200);
        awaitLive(1);
        assertThat(post("application/json", "{\"topic\": \"inbox\", \"data\": \"hello gus\"}").statusCode()).isEqualTo(201);
        await().until(() -> stream.parser().events().size() == 1);
        assertThat(stream.parser().events().getFirst().data()).isEqualTo("hello gus");
    }
}
