package dev.herald.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.herald.core.EventLogException;
import dev.herald.core.Hub;
import dev.herald.redis.testing.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Documents shared through presence, between nodes on one real redis-server. */
class RedisPresenceTest {

    private static final AtomicInteger NAMESPACES = new AtomicInteger();
    private static final Duration INTERVAL = Duration.ofMillis(100);
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String NAME = "subscriptions";

    private RedisServer server;
    private RedisClient rawClient;
    private StatefulRedisConnection<String, String> raw;
    private String namespace;
    private final List<AutoCloseable> closing = new ArrayList<>();

    @BeforeEach
    void start() {
        server = RedisServer.shared();
        rawClient = RedisClient.create(server.uri());
        raw = rawClient.connect();
        namespace = "presence-" + NAMESPACES.incrementAndGet();
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable resource : closing.reversed()) {
            resource.close();
        }
        raw.close();
        rawClient.shutdown();
    }

    /** A node: its own connection, hub and presence. */
    private RedisPresence node(String name) {
        HeraldRedis redis = HeraldRedis.builder(server.uri()).namespace(namespace).node(name)
                .presenceInterval(INTERVAL).build();
        closing.add(redis);
        Hub hub = Hub.builder().build();
        closing.add(hub::close);
        return redis.presence(hub);
    }

    private String documentsKey(String node) {
        return new Keys(namespace).documents(node);
    }

    @Test
    void aDocumentSharedOnOneNodeIsSeenOnTheOthersReplacedAndWithdrawn() {
        RedisPresence a = node("a");
        RedisPresence b = node("b");
        RedisPresence c = node("c");
        assertThat(b.shared(NAME)).isEmpty();

        a.share(NAME, "{\"from\":\"a\",\"v\":1}");
        assertThat(a.shared(NAME)).as("its own at once").containsExactly("{\"from\":\"a\",\"v\":1}");
        await().atMost(WAIT).untilAsserted(() -> assertThat(b.shared(NAME)).containsExactly("{\"from\":\"a\",\"v\":1}"));

        // Each node's own first, then the others' in the order of their ids.
        c.share(NAME, "{\"from\":\"c\"}");
        b.share(NAME, "{\"from\":\"b\"}");
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(a.shared(NAME)).containsExactly("{\"from\":\"a\",\"v\":1}", "{\"from\":\"b\"}", "{\"from\":\"c\"}");
            assertThat(b.shared(NAME)).containsExactly("{\"from\":\"b\"}", "{\"from\":\"a\",\"v\":1}", "{\"from\":\"c\"}");
            assertThat(c.shared(NAME)).containsExactly("{\"from\":\"c\"}", "{\"from\":\"a\",\"v\":1}", "{\"from\":\"b\"}");
        });

        a.share(NAME, "{\"from\":\"a\",\"v\":2}");
        await().atMost(WAIT).untilAsserted(() -> assertThat(b.shared(NAME))
                .containsExactly("{\"from\":\"b\"}", "{\"from\":\"a\",\"v\":2}", "{\"from\":\"c\"}"));

        a.share(NAME, null);
        assertThat(a.shared(NAME)).doesNotContain("{\"from\":\"a\",\"v\":2}");
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(b.shared(NAME)).containsExactly("{\"from\":\"b\"}", "{\"from\":\"c\"}");
            assertThat(a.shared(NAME)).containsExactly("{\"from\":\"b\"}", "{\"from\":\"c\"}");
        });
    }

    @Test
    void documentsOfOtherNamesDoNotMix() {
        RedisPresence a = node("a");
        RedisPresence b = node("b");
        a.share(NAME, "subscriptions of a");
        a.share("other", "other of a");
        b.share("third", "third of b");

        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(b.shared(NAME)).containsExactly("subscriptions of a");
            assertThat(b.shared("other")).containsExactly("other of a");
            assertThat(a.shared("third")).containsExactly("third of b");
        });
        assertThat(a.shared(NAME)).containsExactly("subscriptions of a");
        assertThat(b.shared("third")).containsExactly("third of b");
        assertThat(a.shared("missing")).isEmpty();
        assertThat(b.shared("subscriptions:a")).isEmpty();

        a.share("other", null);
        await().atMost(WAIT).untilAsserted(() -> assertThat(b.shared("other")).isEmpty());
        assertThat(b.shared(NAME)).containsExactly("subscriptions of a");
    }

    @Test
    void unchangedDocumentsStayWhileTheNodeReports() throws Exception {
        RedisPresence a = node("a");
        RedisPresence b = node("b");
        a.share(NAME, "kept");
        await().atMost(WAIT).untilAsserted(() -> assertThat(b.shared(NAME)).containsExactly("kept"));

        // Ten times the time to live: kept alive by every interval's publish, though unchanged.
        long until = System.nanoTime() + INTERVAL.multipliedBy(30).toNanos();
        while (System.nanoTime() < until) {
            assertThat(b.shared(NAME)).containsExactly("kept");
            Thread.sleep(INTERVAL.toMillis() / 2);
        }
        long ttl = raw.sync().pttl(documentsKey("a"));
        assertThat(ttl).isPositive().isLessThanOrEqualTo(INTERVAL.multipliedBy(3).toMillis());
    }

    @Test
    void documentsRedisLostAreSentAgain() {
        RedisPresence a = node("a");
        RedisPresence b = node("b");
        a.share(NAME, "again");
        await().atMost(WAIT).untilAsserted(() -> assertThat(b.shared(NAME)).containsExactly("again"));

        raw.sync().del(documentsKey("a"));

        await().atMost(WAIT).untilAsserted(() -> assertThat(b.shared(NAME)).containsExactly("again"));
    }

    @Test
    void aNodeThatClosesItsPresenceTakesItsDocumentsAlong() throws Exception {
        HeraldRedis redisOfA = HeraldRedis.builder(server.uri()).namespace(namespace).node("a")
                .presenceInterval(INTERVAL).build();
        closing.add(redisOfA);
        Hub hubOfA = Hub.builder().build();
        closing.add(hubOfA::close);
        RedisPresence a = redisOfA.presence(hubOfA);
        RedisPresence b = node("b");
        a.share(NAME, "closing");
        b.share(NAME, "staying");
        await().atMost(WAIT).untilAsserted(() -> assertThat(b.shared(NAME)).containsExactly("staying", "closing"));

        a.close();

        // At once: close deletes the documents rather than letting them expire.
        assertThat(b.shared(NAME)).containsExactly("staying");
        assertThat(raw.sync().exists(documentsKey("a"))).isZero();
    }

    @Test
    void aNodeThatStopsReportingDropsOutWithItsDocuments() throws Exception {
        // A node whose connection to Redis is gone, as if it had died: it can neither keep its
        // presence alive nor withdraw it.
        RedisClient client = RedisClient.create(server.uri());
        StatefulRedisConnection<String, String> connection = client.connect();
        Script.install(connection.async()).get(5, TimeUnit.SECONDS);
        Hub hubOfA = Hub.builder().build();
        closing.add(hubOfA::close);
        RedisPresence a = new RedisPresence(hubOfA, connection.async(), new Keys(namespace), "a", INTERVAL,
                Duration.ofSeconds(2));
        closing.add(a);
        closing.add(client::shutdown);
        RedisPresence b = node("b");
        a.share(NAME, "dying");
        await().atMost(WAIT).untilAsserted(() -> assertThat(b.shared(NAME)).containsExactly("dying"));

        connection.close();

        await().atMost(WAIT).untilAsserted(() -> assertThat(b.shared(NAME)).isEmpty());
        // And its keys expire on their own, three intervals after its last publish.
        await().atMost(WAIT).untilAsserted(() -> assertThat(raw.sync().exists(documentsKey("a"))).isZero());
        // The dead node's own queries fail as its other presence queries do.
        assertThatThrownBy(() -> a.shared(NAME)).isInstanceOf(EventLogException.class);
    }
}
