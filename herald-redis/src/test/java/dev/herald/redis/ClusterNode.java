package dev.herald.redis;

import dev.herald.core.HeartbeatPolicy;
import dev.herald.core.Hub;
import dev.herald.core.testing.SseWireClient;
import dev.herald.netty.HeraldNettyServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** One Herald node of a test cluster: a hub on the shared Redis, served over HTTP by Netty on a free port. */
final class ClusterNode implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    final String name;
    final HeraldRedis redis;
    final Hub hub;
    final RedisPresence presence;
    final HeraldNettyServer server;

    ClusterNode(String name, String redisUri, String namespace) {
        this.name = name;
        this.redis = HeraldRedis.builder(redisUri).namespace(namespace).node(name)
                .presenceInterval(Duration.ofMillis(200)).cursorFlushInterval(Duration.ofMillis(100)).build();
        this.hub = Hub.builder().eventLog(redis.eventLog()).eventBus(redis.eventBus())
                .deliveryCursors(redis.deliveryCursors())
                .retry(Duration.ofMillis(100)).heartbeat(HeartbeatPolicy.every(Duration.ofSeconds(1)))
                .build();
        this.presence = redis.presence(hub);
        try {
            this.server = HeraldNettyServer.builder(hub).host("127.0.0.1").port(0)
                    .transport(dev.herald.netty.NettyTransport.of(System.getProperty("herald.test.transport", "auto")))
                    .presence(presence, "/presence").connectionsPath("/connections").build().start();
        } catch (Exception e) {
            hub.close();
            redis.close();
            throw new IllegalStateException(e);
        }
    }

    int port() {
        return server.port();
    }

    /** Publishes through HTTP; the response as the publisher sees it. */
    HttpResponse<String> publish(String topic, String data) throws IOException, InterruptedException {
        String body = "{\"topic\":\"" + topic + "\",\"data\":\"" + data + "\"}";
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + "/events"))
                .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The id in a {@code 201} answer's body. */
    static String id(HttpResponse<String> created) {
        String body = created.body();
        int start = body.indexOf("\"id\":\"") + 6;
        return body.substring(start, body.indexOf('"', start));
    }

    HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + pathAndQuery))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> delete(String pathAndQuery) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + pathAndQuery))
                .timeout(Duration.ofSeconds(10)).DELETE().build(), HttpResponse.BodyHandlers.ofString());
    }

    SseWireClient subscribe(String query) throws IOException {
        return SseWireClient.get(port(), "/events?" + query);
    }

    SseWireClient subscribe(String query, String lastEventId) throws IOException {
        return SseWireClient.get(port(), "/events?" + query, Map.of("Last-Event-ID", lastEventId));
    }

    @Override
    public void close() {
        hub.close();
        server.close();
        redis.close();
    }
}
