package dev.herald.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.core.ConnectionInfo;
import dev.herald.core.HeartbeatPolicy;
import dev.herald.core.Hub;
import dev.herald.core.Publication;
import dev.herald.core.SseMessage;
import dev.herald.core.SubscribeRequest;
import dev.herald.core.Subscriber;
import dev.herald.core.testing.SseWireClient;
import dev.herald.core.testing.WireClients;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the Netty server does beyond the HTTP API every transport serves alike (that is
 * {@link dev.herald.http.testing.TransportContract}, run by {@link NettyHttp11TransportTest},
 * {@link NettyHttp2TlsTransportTest} and {@link NettyH2cTransportTest}): close-delimited HTTP/1.1
 * streams, clients released as soon as they leave, the application's stream routes and responders,
 * pipelining, a port in use, and blocking work kept off the event loops.
 */
class HeraldNettyServerTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private Hub hub;
    private HeraldNettyServer server;
    private WireClients clients;

    @BeforeEach
    void start() throws Exception {
        start(Hub.builder().heartbeat(HeartbeatPolicy.disabled()));
    }

    private void start(Hub.Builder hubBuilder) throws Exception {
        hub = hubBuilder.build();
        server = HeraldNettyServer.builder(hub).host("127.0.0.1").port(0)
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
    void streamsOverHttp11AreCloseDelimitedWithoutChunkFraming() throws Exception {
        SseWireClient stream = clients.get("/events?topic=news");
        awaitLive(1);
        hub.publish(Publication.to("news").data("raw").build());

        assertThat(stream.header("Transfer-Encoding")).isNull();
        assertThat(stream.header("Content-Length")).isNull();
        assertThat(stream.header("Connection")).isEqualTo("close");
        await().until(() -> stream.text().endsWith("\ndata: raw\n\n"));
        hub.close();
        assertThat(stream.awaitEnd(Duration.ofSeconds(5))).as("closing the connection ends the body").isTrue();
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
            public java.util.OptionalLong idOfKey(String key) {
                return memory.idOfKey(key);
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
