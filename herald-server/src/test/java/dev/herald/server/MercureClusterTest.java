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
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The Mercure hub in cluster mode: two standalone servers (each its own Spring application and Netty
 * server, in this JVM) on one real redis-server. An update published on node A reaches node B's
 * Mercure subscribers with the id A answered, and any id one node wrote resumes a stream on the
 * other: a hub-generated URN, a publisher's id, and the Last-Event-ID header a node answered with.
 * With active subscriptions on, a subscription that starts or ends on one node is announced to the
 * other's watchers, and the subscriptions API on either node lists every node's.
 */
class MercureClusterTest {

    private static final String SECRET = "mercure-cluster-secret-that-is-at-least-32-bytes";
    private static final String HUB = "/.well-known/mercure";
    private static final String TOPIC = "https://example.com/cluster/orders/{id}";
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Tokens TOKENS = Tokens.hs256(SECRET.getBytes(StandardCharsets.UTF_8));
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** How often each node reports its presence (and its active subscriptions) to the cluster. */
    private static final Duration PRESENCE_INTERVAL = Duration.ofMillis(200);

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
        // Until both nodes have noticed, so that no test's streams count in the next one's.
        for (ConfigurableApplicationContext node : List.of(nodeA, nodeB)) {
            Hub hub = node.getBean(Hub.class);
            await().atMost(WAIT).until(() -> hub.connections().isEmpty());
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
                // A short heartbeat: a client that left is noticed at the next write.
                "--herald.heartbeat=200ms",
                "--herald.redis.presence-interval=" + PRESENCE_INTERVAL.toMillis() + "ms",
                "--herald.mercure.subscriptions=true",
                "--herald.demo.stream-interval=1h");
    }

    private static int port(ConfigurableApplicationContext node) {
        return node.getEnvironment().getProperty("local.server.port", Integer.class);
    }

    private static String mercureToken(String subject, List<String> subscribe, List<String> publish) {
        return mercureToken(subject, Map.of("subscribe", subscribe, "publish", publish));
    }

    private static String mercureToken(String subject, Map<String, Object> mercure) {
        return TOKENS.token().subject(subject)
                .claim("mercure", mercure)
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

    // ---------------------------------------------------------------------------------------------
    // Active subscriptions

    private static final String SUBSCRIPTIONS = HUB + "/subscriptions";
    private static final String EVERY_SUBSCRIPTION = SUBSCRIPTIONS + "/{+rest}";
    /** Two topics of one stream: a URI template (its braces and plus escaped in names) and an exact topic with a query. */
    private static final String ROOMS = "https://example.com/cluster/rooms/{+room}";
    private static final String LOBBY = "https://example.com/cluster/rooms/lobby?floor=1&wing=east";
    private static final String WATCHER = mercureToken("watcher", Map.of("subscribe", List.of(SUBSCRIPTIONS, EVERY_SUBSCRIPTION)));
    private static final String PAYLOAD = "{\"name\":\"Alice\",\"roles\":[\"buyer\",\"admin\"],\"seat\":12}";
    private static final String ALICE = mercureToken("alice", Map.of("subscribe", List.of(ROOMS, LOBBY),
            "payload", Map.of("name", "Alice", "roles", List.of("buyer", "admin"), "seat", 12)));

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** A Mercure stream on the node for the topics, with the token; no wait beyond the response's headers. */
    private SseWireClient stream(ConfigurableApplicationContext node, List<String> topics, String token, String query) throws Exception {
        StringBuilder path = new StringBuilder(HUB);
        for (String topic : topics) {
            path.append(path.indexOf("?") < 0 ? '?' : '&').append("topic=").append(encode(topic));
        }
        SseWireClient client = SseWireClient.get(port(node), path + query, Map.of("Authorization", "Bearer " + token));
        clients.add(client);
        assertThat(client.status()).as(client.text()).isEqualTo(200);
        return client;
    }

    /** The subscription documents a watcher received, parsed. */
    private static List<JsonNode> documents(SseWireClient watcher) {
        return updates(watcher).stream().map(update -> JSON.readTree(update.data())).toList();
    }

    /** The updates a watcher received about one subscriber's subscriptions, in order. */
    private static List<JsonNode> about(SseWireClient watcher, String subscriber) {
        return documents(watcher).stream().filter(document -> subscriber.equals(document.path("subscriber").asString())).toList();
    }

    /** A subscription's name: the topic and subscriber escaped as form values, as the hub escapes them. */
    private static String subscriptionId(String topic, String subscriber) {
        return SUBSCRIPTIONS + "/" + encode(topic) + "/" + encode(subscriber);
    }

    /** A subscription's document as the API lists it (no {@code @context}). */
    private static ObjectNode listed(String topic, String subscriber, String payload, boolean active) {
        ObjectNode document = JSON.createObjectNode()
                .put("id", subscriptionId(topic, subscriber))
                .put("type", "Subscription")
                .put("topic", topic)
                .put("subscriber", subscriber)
                .put("active", active);
        if (payload != null) {
            document.set("payload", JSON.readTree(payload));
        }
        return document;
    }

    /** A subscription's document as its update carries it (with {@code @context}). */
    private static ObjectNode announced(String topic, String subscriber, String payload, boolean active) {
        ObjectNode document = JSON.createObjectNode().put("@context", "https://mercure.rocks/");
        document.setAll(listed(topic, subscriber, payload, active));
        return document;
    }

    private static HttpResponse<String> get(ConfigurableApplicationContext node, String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port(node) + path)).timeout(WAIT);
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The API's JSON-LD answer for the path on the node, with the watcher's token; asserts a 200 in JSON-LD. */
    private static JsonNode api(ConfigurableApplicationContext node, String path) throws Exception {
        HttpResponse<String> response = get(node, path, WATCHER);
        assertThat(response.statusCode()).as("GET %s on %s: %s", path, port(node), response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).as("GET %s", path)
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/ld+json"));
        JsonNode answer = JSON.readTree(response.body());
        assertThat(answer.path("@context").asString()).as("GET %s", path).isEqualTo("https://mercure.rocks/");
        assertThat(answer.path("lastEventID").asString()).as("GET %s", path).startsWith("urn:uuid:");
        return answer;
    }

    /** A collection's subscriptions, those of the given topics only (another test's may linger a moment). */
    private static Set<JsonNode> listedIn(JsonNode collection, Set<String> topics) {
        Set<JsonNode> listed = new java.util.HashSet<>();
        collection.path("subscriptions").forEach(subscription -> {
            if (topics.contains(subscription.path("topic").asString())) {
                listed.add(subscription);
            }
        });
        return listed;
    }

    private static void assertProblem(HttpResponse<String> response, int status, String type) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).as(response.body())
                .hasValueSatisfying(value -> assertThat(value).startsWith("application/problem+json"));
        assertThat(JSON.readTree(response.body()).path("type").asString()).isEqualTo("urn:herald:problem:" + type);
    }

    @Test
    void aSubscriptionOnOneNodeIsAnnouncedToTheOthersWatchersAndListedOnBothUntilItEnds() throws Exception {
        Set<String> topics = Set.of(EVERY_SUBSCRIPTION, ROOMS, LOBBY);
        SseWireClient watcher = stream(nodeB, List.of(EVERY_SUBSCRIPTION), WATCHER, "");
        // Its own subscription's start, announced on B, shows that it is live.
        await().atMost(WAIT).until(() -> documents(watcher).stream()
                .anyMatch(document -> document.path("topic").asString().equals(EVERY_SUBSCRIPTION)));
        JsonNode own = documents(watcher).stream().filter(document -> document.path("topic").asString().equals(EVERY_SUBSCRIPTION))
                .findFirst().orElseThrow();
        String watching = own.path("subscriber").asString();
        assertThat(own).isEqualTo(announced(EVERY_SUBSCRIPTION, watching, null, true));

        SseWireClient alice = stream(nodeA, List.of(ROOMS, LOBBY), ALICE, "");
        await().atMost(WAIT).until(() -> documents(watcher).stream()
                .filter(document -> document.path("payload").path("name").asString().equals("Alice")).count() == 2);
        // (The ends of an earlier test's streams may arrive too: those carry no payload.)
        JsonNode first = documents(watcher).stream().filter(document -> document.path("payload").path("name").asString().equals("Alice"))
                .findFirst().orElseThrow();
        String subscriber = first.path("subscriber").asString();
        assertThat(subscriber).startsWith("urn:uuid:").isNotEqualTo(watching);
        assertThat(about(watcher, subscriber)).as("the starts of Alice's two subscriptions, received on B")
                .containsExactlyInAnyOrder(announced(ROOMS, subscriber, PAYLOAD, true), announced(LOBBY, subscriber, PAYLOAD, true));
        assertThat(updates(watcher)).allSatisfy(update -> {
            assertThat(update.type()).isEqualTo("message");
            assertThat(update.lastEventId()).startsWith("urn:uuid:");
        });

        // The whole collection, on B (Alice's as A last reported them) and on A (the watcher's as B last reported it).
        Set<JsonNode> everyone = Set.of(listed(EVERY_SUBSCRIPTION, watching, null, true),
                listed(ROOMS, subscriber, PAYLOAD, true), listed(LOBBY, subscriber, PAYLOAD, true));
        for (ConfigurableApplicationContext node : List.of(nodeB, nodeA)) {
            await().atMost(WAIT).untilAsserted(() -> assertThat(listedIn(api(node, SUBSCRIPTIONS), topics)).isEqualTo(everyone));
            JsonNode collection = api(node, SUBSCRIPTIONS);
            assertThat(collection.path("id").asString()).isEqualTo(SUBSCRIPTIONS);
            assertThat(collection.path("type").asString()).isEqualTo("Subscriptions");
        }
        String listedAt = api(nodeB, SUBSCRIPTIONS).path("lastEventID").asString();

        // One topic's, and one subscription, on the node that does not hold it.
        for (String topic : List.of(ROOMS, LOBBY)) {
            JsonNode ofTopic = api(nodeB, SUBSCRIPTIONS + "/" + encode(topic));
            assertThat(ofTopic.path("id").asString()).isEqualTo(SUBSCRIPTIONS + "/" + encode(topic));
            assertThat(ofTopic.path("type").asString()).isEqualTo("Subscriptions");
            assertThat(ofTopic.path("subscriptions")).containsExactly(listed(topic, subscriber, PAYLOAD, true));
            JsonNode one = api(nodeB, subscriptionId(topic, subscriber));
            assertThat(((ObjectNode) one.deepCopy()).without("lastEventID")).isEqualTo(announced(topic, subscriber, PAYLOAD, true));
        }
        JsonNode watcherOnA = api(nodeA, subscriptionId(EVERY_SUBSCRIPTION, watching));
        assertThat(((ObjectNode) watcherOnA.deepCopy()).without("lastEventID")).isEqualTo(announced(EVERY_SUBSCRIPTION, watching, null, true));
        assertThat(api(nodeA, SUBSCRIPTIONS + "/" + encode(EVERY_SUBSCRIPTION)).path("subscriptions"))
                .containsExactly(listed(EVERY_SUBSCRIPTION, watching, null, true));

        // Only to tokens that grant the requested path.
        assertProblem(get(nodeB, SUBSCRIPTIONS, null), 401, "unauthenticated");
        assertProblem(get(nodeB, SUBSCRIPTIONS, SUBSCRIBER), 403, "forbidden");
        assertProblem(get(nodeB, subscriptionId(ROOMS, subscriber), ALICE), 403, "forbidden");

        // A watcher on A that resumes from the lastEventID B listed with: the ends, not the starts again.
        SseWireClient resumed = stream(nodeA, List.of(EVERY_SUBSCRIPTION), WATCHER, "&lastEventID=" + encode(listedAt));
        await().atMost(WAIT).until(() -> documents(resumed).stream().anyMatch(document -> document.path("active").asBoolean()
                && document.path("topic").asString().equals(EVERY_SUBSCRIPTION)));
        String resuming = documents(resumed).stream().filter(document -> document.path("active").asBoolean()
                && document.path("topic").asString().equals(EVERY_SUBSCRIPTION)).findFirst().orElseThrow().path("subscriber").asString();
        assertThat(resuming).isNotEqualTo(watching);

        long left = System.nanoTime();
        alice.close();
        for (SseWireClient each : List.of(watcher, resumed)) {
            await().atMost(WAIT).until(() -> about(each, subscriber).stream().filter(document -> !document.path("active").asBoolean())
                    .count() == 2);
        }
        long announcedAfter = (System.nanoTime() - left) / 1_000_000;
        List<JsonNode> ends = List.of(announced(ROOMS, subscriber, PAYLOAD, false), announced(LOBBY, subscriber, PAYLOAD, false));
        assertThat(about(watcher, subscriber).subList(2, 4)).as("the ends of Alice's subscriptions, received on B")
                .containsExactlyInAnyOrderElementsOf(ends);
        assertThat(about(watcher, subscriber)).hasSize(4);
        assertThat(about(resumed, subscriber)).as("resumed on A from B's lastEventID").containsExactlyInAnyOrderElementsOf(ends);

        // No longer listed on B within a few of A's presence reports, nor on A: only the two watchers are.
        Duration few = PRESENCE_INTERVAL.multipliedBy(25);
        Set<JsonNode> watchers = Set.of(listed(EVERY_SUBSCRIPTION, watching, null, true), listed(EVERY_SUBSCRIPTION, resuming, null, true));
        for (ConfigurableApplicationContext node : List.of(nodeB, nodeA)) {
            await().atMost(few).untilAsserted(() -> assertThat(listedIn(api(node, SUBSCRIPTIONS), topics)).isEqualTo(watchers));
            for (String topic : List.of(ROOMS, LOBBY)) {
                assertThat(api(node, SUBSCRIPTIONS + "/" + encode(topic)).path("subscriptions")).isEmpty();
                assertProblem(get(node, subscriptionId(topic, subscriber), WATCHER), 404, "not-found");
            }
        }
        System.out.printf("Mercure subscriptions across the cluster: ends announced on B %d ms after Alice left, unlisted on B and A by %d ms%n",
                announcedAfter, (System.nanoTime() - left) / 1_000_000);
    }
}
