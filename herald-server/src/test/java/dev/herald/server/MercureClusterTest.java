package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.core.ConnectionInfo;
import dev.herald.core.Hub;
import dev.herald.core.testing.SseParser.Received;
import dev.herald.core.testing.SseWireClient;
import dev.herald.http.testing.Tokens;
import dev.herald.redis.testing.RedisServer;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The Mercure hub in cluster mode: two standalone servers (each its own Spring application and Netty
 * server, in this JVM) on one real redis-server. An update published on node A reaches node B's
 * Mercure subscribers with the id A answered, and any id one node wrote resumes a stream on the
 * other: a hub-generated URN, a publisher's id, and the Last-Event-ID header a node answered with.
 */
class MercureClusterTest {

    private static final String SECRET = "mercure-cluster-secret-that-is-at-least-32-bytes";
    private static final String HUB = "/.well-known/mercure";
    private static final String TOPIC = "https://example.com/cluster/orders/{id}";
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Tokens TOKENS = Tokens.hs256(SECRET.getBytes(StandardCharsets.UTF_8));
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static RedisServer redis;
    private static ConfigurableApplicationContext nodeA;
    private static ConfigurableApplicationContext nodeB;

    private final List<SseWireClient> clients = new ArrayList<>();

    @BeforeAll
    static void startCluster() throws Exception {
        redis = RedisServer.start();
        nodeA = node("a");
        nodeB = node("b");
    }

    @AfterAll
    static void stopCluster() {
        for (ConfigurableApplicationContext node : new ConfigurableApplicationContext[] {nodeA, nodeB}) {
            if (node != null) {
                node.close();
            }
        }
        if (redis != null) {
            redis.close();
        }
    }

    @AfterEach
    void closeClients() throws Exception {
        for (SseWireClient client : clients) {
            client.close();
        }
    }

    private static ConfigurableApplicationContext node(String name) throws Exception {
        // Arguments, as on the command line: they win over the server's application.yml (default properties would not).
        return new SpringApplicationBuilder(HeraldServerApplication.class).web(WebApplicationType.NONE).run(
                "--server.port=0",
                "--spring.main.banner-mode=off",
                "--herald.data-dir=" + Files.createTempDirectory("herald-mercure-" + name),
                "--herald.redis.url=" + redis.uri(),
                "--herald.redis.node=" + name,
                "--herald.auth.jwt.secret=" + SECRET,
                "--herald.heartbeat=1s",
                "--herald.demo.stream-interval=1h");
    }

    private static int port(ConfigurableApplicationContext node) {
        return node.getEnvironment().getProperty("local.server.port", Integer.class);
    }

    private static String mercureToken(String subject, List<String> subscribe, List<String> publish) {
        return TOKENS.token().subject(subject)
                .claim("mercure", Map.of("subscribe", subscribe, "publish", publish))
                .expiresAt(Instant.now().plus(Duration.ofMinutes(10)))
                .sign();
    }

    private static final String PUBLISHER = mercureToken("publisher", List.of(), List.of("*"));
    private static final String SUBSCRIBER = mercureToken("reader", List.of("https://example.com/cluster/{+path}"), List.of());

    /** Publishes the form fields (name, value, ...) on the node as the publisher; the id it answered. */
    private static String publish(ConfigurableApplicationContext node, String... fields) throws Exception {
        StringBuilder form = new StringBuilder();
        for (int i = 0; i < fields.length; i += 2) {
            form.append(form.isEmpty() ? "" : "&").append(URLEncoder.encode(fields[i], StandardCharsets.UTF_8)).append('=')
                    .append(URLEncoder.encode(fields[i + 1], StandardCharsets.UTF_8));
        }
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port(node) + HUB))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Authorization", "Bearer " + PUBLISHER)
                .POST(HttpRequest.BodyPublishers.ofString(form.toString()))
                .timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/plain"));
        return response.body();
    }

    /** A Mercure stream on the node for the test's topic, with the subscriber's token unless {@code anonymous}. */
    private SseWireClient subscribe(ConfigurableApplicationContext node, String query, Map<String, String> headers, boolean anonymous)
            throws Exception {
        Map<String, String> all = new java.util.HashMap<>(headers);
        if (!anonymous) {
            all.put("Authorization", "Bearer " + SUBSCRIBER);
        }
        int before = node.getBean(Hub.class).connections().size();
        SseWireClient client = SseWireClient.get(port(node), HUB + "?topic=" + URLEncoder.encode(TOPIC, StandardCharsets.UTF_8) + query, all);
        clients.add(client);
        assertThat(client.status()).as(client.text()).isEqualTo(200);
        Hub hub = node.getBean(Hub.class);
        await().atMost(WAIT).until(() -> hub.connections().size() == before + 1
                && hub.connections().stream().allMatch(c -> c.state() == ConnectionInfo.State.LIVE));
        return client;
    }

    private static List<Received> updates(SseWireClient client) {
        return client.parser().events();
    }

    private static List<String> ids(SseWireClient client) {
        return updates(client).stream().map(Received::lastEventId).toList();
    }

    private static void awaitId(SseWireClient client, String id) {
        await().atMost(WAIT).until(() -> ids(client).contains(id));
    }

    @Test
    void anUpdatePublishedOnOneNodeReachesTheOthersSubscribersAndAnyIdResumesOnEitherNode() throws Exception {
        SseWireClient onB = subscribe(nodeB, "", Map.of(), false);
        String headOnB = onB.header("Last-Event-ID");
        assertThat(headOnB).as("the Last-Event-ID response header").isNotBlank();

        String generated = publish(nodeA, "topic", "https://example.com/cluster/orders/1", "data", "created");
        String given = publish(nodeA, "topic", "https://example.com/cluster/orders/1", "data", "paid",
                "id", "https://example.com/cluster/orders/1/events/paid", "type", "order-paid");
        String secret = publish(nodeA, "topic", "https://example.com/cluster/orders/1", "data", "card ending 4242", "private", "on");
        String shipped = publish(nodeA, "topic", "https://example.com/cluster/orders/1", "data", "shipped");
        awaitId(onB, shipped);

        assertThat(generated).startsWith("urn:uuid:68657261-6c64-8");
        assertThat(given).isEqualTo("https://example.com/cluster/orders/1/events/paid");
        assertThat(updates(onB)).as("node B's subscriber, with the ids node A answered").containsExactly(
                new Received("message", "created", generated),
                new Received("order-paid", "paid", given),
                new Received("message", "card ending 4242", secret),
                new Received("message", "shipped", shipped));

        // Resuming on node A from ids received on node B: a hub-generated URN (query parameter) and a publisher's id (header).
        SseWireClient fromUrn = subscribe(nodeA, "&lastEventID=" + URLEncoder.encode(generated, StandardCharsets.UTF_8), Map.of(), false);
        SseWireClient fromGivenId = subscribe(nodeA, "", Map.of("Last-Event-ID", given), false);
        SseWireClient fromHead = subscribe(nodeA, "&lastEventID=" + URLEncoder.encode(headOnB, StandardCharsets.UTF_8), Map.of(), false);
        SseWireClient anonymousFromUrn = subscribe(nodeA, "&lastEventID=" + URLEncoder.encode(generated, StandardCharsets.UTF_8),
                Map.of(), true);
        String later = publish(nodeB, "topic", "https://example.com/cluster/orders/1", "data", "delivered");
        for (SseWireClient client : List.of(fromUrn, fromGivenId, fromHead, anonymousFromUrn, onB)) {
            awaitId(client, later);
        }

        assertThat(fromUrn.header("Last-Event-ID")).isEqualTo(generated);
        assertThat(fromGivenId.header("Last-Event-ID")).isEqualTo(given);
        assertThat(ids(fromUrn)).as("resumed on A from B's URN").containsExactly(given, secret, shipped, later);
        assertThat(ids(fromGivenId)).as("resumed on A from the publisher's id").containsExactly(secret, shipped, later);
        assertThat(ids(fromHead)).as("resumed on A from B's Last-Event-ID header").containsExactly(generated, given, secret, shipped, later);
        assertThat(ids(anonymousFromUrn)).as("anonymous replay leaves the private update out").containsExactly(given, shipped, later);
        assertThat(ids(onB)).containsExactly(generated, given, secret, shipped, later);
        assertThat(updates(fromUrn).getFirst()).isEqualTo(new Received("order-paid", "paid", given));
    }

    @Test
    void earliestReplaysEverythingRetainedOnEitherNode() throws Exception {
        String first = publish(nodeA, "topic", "https://example.com/cluster/orders/2", "data", "on a");
        String second = publish(nodeB, "topic", "https://example.com/cluster/orders/2", "data", "on b",
                "id", "https://example.com/cluster/orders/2/events/b");

        SseWireClient onA = subscribe(nodeA, "&lastEventID=earliest", Map.of(), false);
        SseWireClient onB = subscribe(nodeB, "", Map.of("Last-Event-ID", "earliest"), false);
        awaitId(onA, second);
        awaitId(onB, second);

        for (SseWireClient client : List.of(onA, onB)) {
            List<String> ids = ids(client);
            assertThat(ids).doesNotHaveDuplicates();
            assertThat(ids.indexOf(first)).isNotNegative().isLessThan(ids.indexOf(second));
            assertThat(ids).isEqualTo(ids(onA));
        }
    }
}
