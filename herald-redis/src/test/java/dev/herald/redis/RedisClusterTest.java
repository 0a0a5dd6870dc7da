package dev.herald.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.core.testing.SseParser.Received;
import dev.herald.core.testing.SseWireClient;
import dev.herald.redis.testing.RedisServer;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Three Herald nodes in this JVM, each with its own HTTP port, on one real redis-server that the
 * tests may kill and restart; clients speak HTTP to them as a browser behind a load balancer would.
 */
class RedisClusterTest {

    private static final AtomicInteger NAMESPACES = new AtomicInteger();
    private static final Duration LONG = Duration.ofSeconds(30);

    private RedisServer redis;
    private final List<ClusterNode> nodes = new ArrayList<>();
    private final List<SseWireClient> clients = new ArrayList<>();

    @BeforeEach
    void startCluster() {
        redis = RedisServer.start();
        String namespace = "cluster-" + NAMESPACES.incrementAndGet();
        for (String name : List.of("a", "b", "c")) {
            nodes.add(new ClusterNode(name, redis.uri(), namespace));
        }
    }

    @AfterEach
    void stopCluster() throws Exception {
        for (SseWireClient client : clients) {
            client.close();
        }
        nodes.forEach(ClusterNode::close);
        redis.close();
    }

    private ClusterNode node(int i) {
        return nodes.get(i);
    }

    private SseWireClient track(SseWireClient client) {
        clients.add(client);
        return client;
    }

    private static List<String> ids(SseWireClient client, String type) {
        return client.parser().events(type).stream().map(Received::lastEventId).toList();
    }

    private static List<String> data(SseWireClient client) {
        return client.parser().events("message").stream().map(Received::data).toList();
    }

    @Test
    void eventsPublishedOnAnyNodeReachEveryNodeInOneOrder() throws Exception {
        List<SseWireClient> subscribers = new ArrayList<>();
        for (ClusterNode node : nodes) {
            subscribers.add(track(node.subscribe("topic=news")));
        }
        await().atMost(LONG).until(() -> subscribers.stream().allMatch(s -> s.text().startsWith("retry:")));

        List<String> published = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            HttpResponse<String> response = node(i % 3).publish("news", "e" + i);
            assertThat(response.statusCode()).isEqualTo(201);
            published.add(ClusterNode.id(response));
        }

        for (SseWireClient subscriber : subscribers) {
            await().atMost(LONG).until(() -> subscriber.parser().events("message").size() >= 300);
        }
        List<String> order = ids(subscribers.getFirst(), "message");
        assertThat(order).containsExactlyElementsOf(published);
        assertThat(order.stream().map(Long::parseLong).toList()).isSorted();
        for (SseWireClient subscriber : subscribers) {
            assertThat(ids(subscriber, "message")).isEqualTo(order);
            assertThat(data(subscriber)).hasSize(300).doesNotHaveDuplicates();
        }
    }

    @Test
    void aSubscriberThatMovesBetweenNodesWithItsLastEventIdMissesNothingAndGetsNothingTwice() throws Exception {
        int total = 600;
        ConcurrentLinkedQueue<String> published = new ConcurrentLinkedQueue<>();
        AtomicReference<Throwable> publishFailure = new AtomicReference<>();
        // Subscribed before the first publish: an event published before a live stream opens is
        // not that stream's (on a fast transport the first publish could win the race).
        SseWireClient first = node(0).subscribe("topic=moves");
        await().atMost(LONG).until(() -> first.text().startsWith("retry:"));
        Thread publisher = Thread.ofVirtual().start(() -> {
            try {
                for (int i = 0; i < total; i++) {
                    HttpResponse<String> response = node(2).publish("moves", "m" + i);
                    assertThat(response.statusCode()).isEqualTo(201);
                    published.add(response.body());
                    if (i % 50 == 0) {
                        Thread.sleep(20);
                    }
                }
            } catch (Throwable e) {
                publishFailure.set(e);
            }
        });

        List<String> received = new ArrayList<>();
        String lastEventId = null;
        int hops = 0;
        while (publisher.isAlive() || received.size() < total) {
            ClusterNode next = node(hops % 2);
            SseWireClient stream = hops == 0 ? first
                    : lastEventId == null ? next.subscribe("topic=moves") : next.subscribe("topic=moves", lastEventId);
            int before = received.size();
            // Read for a while on this node, then drop the connection as a flaky network would.
            await().atMost(LONG).until(() -> stream.parser().events("message").size() > 0 || (!publisher.isAlive() && before >= total));
            Thread.sleep(30);
            stream.abort();
            stream.awaitEnd(Duration.ofSeconds(5));
            received.addAll(data(stream));
            if (stream.parser().lastEventId() != null && !stream.parser().lastEventId().isEmpty()) {
                lastEventId = stream.parser().lastEventId();
            }
            stream.close();
            hops++;
            assertThat(hops).as("hops before every event arrived").isLessThan(2000);
            if (!publisher.isAlive() && received.size() >= total) {
                break;
            }
        }
        publisher.join();

        assertThat(publishFailure.get()).isNull();
        assertThat(hops).isGreaterThanOrEqualTo(3);
        assertThat(received).doesNotHaveDuplicates().hasSize(total);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < total; i++) {
            expected.add("m" + i);
        }
        assertThat(received).containsExactlyElementsOf(expected);
    }

    @Test
    void redisKilledAndRestartedMidStreamLosesAndRepeatsNoAcknowledgedEvent() throws Exception {
        SseWireClient onA = track(node(0).subscribe("topic=orders"));
        SseWireClient onB = track(node(1).subscribe("topic=orders"));
        await().atMost(LONG).until(() -> onA.text().startsWith("retry:") && onB.text().startsWith("retry:"));

        ConcurrentLinkedQueue<String> acknowledged = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<String> refusals = new ConcurrentLinkedQueue<>();
        AtomicInteger attempts = new AtomicInteger();
        Thread publisher = Thread.ofVirtual().start(() -> {
            long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
            for (int i = 0; i < 100_000 && System.nanoTime() < deadline && !Thread.currentThread().isInterrupted(); i++) {
                try {
                    HttpResponse<String> response = node(i % 3).publish("orders", "o" + i);
                    attempts.incrementAndGet();
                    if (response.statusCode() == 201) {
                        acknowledged.add("o" + i);
                    } else {
                        refusals.add(response.statusCode() + " " + response.headers().firstValue("Content-Type").orElse("")
                                + " " + response.body());
                    }
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    refusals.add(e.toString());
                }
            }
        });

        await().atMost(LONG).until(() -> acknowledged.size() >= 100);
        redis.kill();
        await().atMost(LONG).until(() -> !refusals.isEmpty());
        int acknowledgedWhileDown = acknowledged.size();
        Thread.sleep(500);
        redis.startProcess();
        await().atMost(LONG).until(() -> acknowledged.size() >= acknowledgedWhileDown + 100);
        publisher.interrupt();
        publisher.join();

        Set<String> expected = new HashSet<>(acknowledged);
        for (SseWireClient subscriber : List.of(onA, onB)) {
            await().atMost(LONG).until(() -> new HashSet<>(data(subscriber)).containsAll(expected));
            // The same connection throughout: live subscribers were not dropped by the outage.
            assertThat(subscriber.ended()).isFalse();
            assertThat(data(subscriber)).doesNotHaveDuplicates();
            assertThat(ids(subscriber, "message").stream().map(Long::parseLong).toList()).isSorted();
            assertThat(subscriber.parser().events("herald-reset")).isEmpty();
        }
        assertThat(ids(onA, "message")).isEqualTo(ids(onB, "message"));
        assertThat(refusals).allSatisfy(refusal -> assertThat(refusal)
                .startsWith("503 application/problem+json").contains("storage-unavailable"));
    }

    @Test
    void presenceCountsSubscribersAndUsersOnEveryNode() throws Exception {
        SseWireClient alice = track(node(0).subscribe("topic=rooms/1&user=alice"));
        track(node(1).subscribe("topic=rooms/1&user=bob"));
        track(node(1).subscribe("topic=rooms/{id}&user=bob"));
        track(node(2).subscribe("topic=lobby&user=carol"));

        RedisPresence fromC = node(2).presence;
        await().atMost(LONG).untilAsserted(() -> {
            assertThat(fromC.subscribers("rooms/1")).isEqualTo(3);
            assertThat(fromC.subscribers("rooms/2")).isEqualTo(1);
            assertThat(fromC.subscribers("lobby")).isEqualTo(1);
            assertThat(fromC.connections("bob")).isEqualTo(2);
            assertThat(fromC.isConnected("alice")).isTrue();
            assertThat(fromC.isConnected("dave")).isFalse();
            assertThat(fromC.summary().nodes()).isEqualTo(3);
            assertThat(fromC.summary().connections()).isEqualTo(4);
            // A node counts its own streams at once but the others' only once they are published:
            // wait until every node counts all four, not only node C.
            for (int i = 0; i < 3; i++) {
                assertThat(node(i).presence.summary().connections()).isEqualTo(4);
            }
        });
        // The same over HTTP, from any node.
        assertThat(node(2).get("/presence?topic=rooms/1").body()).isEqualTo("{\"topic\":\"rooms/1\",\"subscribers\":3}");
        assertThat(node(0).get("/presence?user=bob").body()).isEqualTo("{\"user\":\"bob\",\"connected\":true,\"connections\":2}");
        assertThat(node(1).get("/presence").body()).isEqualTo("{\"nodes\":3,\"connections\":4}");
        HttpResponse<String> both = node(1).get("/presence?topic=lobby&user=carol");
        assertThat(both.statusCode()).isEqualTo(400);
        assertThat(both.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(both.body()).contains("invalid-query");

        alice.close();
        await().atMost(LONG).untilAsserted(() -> {
            assertThat(fromC.isConnected("alice")).isFalse();
            assertThat(fromC.subscribers("rooms/1")).isEqualTo(2);
        });

        // A node that stops reporting drops out of every count.
        nodes.removeFirst().close();
        await().atMost(LONG).untilAsserted(() -> assertThat(fromC.summary().nodes()).isEqualTo(2));
    }

    @Test
    void aUsersSinceLastStreamContinuesOnAnotherNode() throws Exception {
        SseWireClient first = track(node(0).subscribe("topic=inbox&user=u1&since=last"));
        await().atMost(LONG).until(() -> first.text().startsWith("retry:"));
        List<String> published = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            published.add(ClusterNode.id(node(1).publish("inbox", "before" + i)));
        }
        await().atMost(LONG).until(() -> data(first).size() == 5);
        first.close();
        // Positions reach Redis within a flush interval; wait for the node the user moves to to see it.
        await().atMost(LONG).until(() -> node(1).redis.deliveryCursors().lastDelivered(
                cursorKeyOf(node(1), "u1")).orElse(0) >= Long.parseLong(published.getLast()));
        for (int i = 0; i < 3; i++) {
            node(2).publish("inbox", "after" + i);
        }

        SseWireClient second = track(node(1).subscribe("topic=inbox&user=u1&since=last"));

        await().atMost(LONG).until(() -> data(second).size() >= 3);
        assertThat(data(second)).containsExactly("after0", "after1", "after2");
    }

    /** The hub's cursor key for a user's streams on the single topic "inbox". */
    private static String cursorKeyOf(ClusterNode node, String user) throws Exception {
        java.lang.reflect.Method key = Class.forName("dev.herald.core.internal.Engine")
                .getDeclaredMethod("cursorKey", String.class, List.class);
        key.setAccessible(true);
        return (String) key.invoke(null, user, List.of(dev.herald.core.TopicSelector.parse("inbox")));
    }

    @Test
    void endingAUsersStreamsOnOneNodeEndsThemOnEveryNode() throws Exception {
        SseWireClient onA = track(node(0).subscribe("topic=inbox&user=alice"));
        SseWireClient onB = track(node(1).subscribe("topic=inbox&user=alice"));
        SseWireClient onC = track(node(2).subscribe("topic=news&user=alice"));
        SseWireClient bobOnB = track(node(1).subscribe("topic=inbox&user=bob"));
        await().atMost(LONG).until(() -> onA.text().startsWith("retry:") && onB.text().startsWith("retry:")
                && onC.text().startsWith("retry:") && bobOnB.text().startsWith("retry:"));

        HttpResponse<String> ended = node(2).delete("/connections?user=alice");

        assertThat(ended.statusCode()).isEqualTo(202);
        for (SseWireClient alice : List.of(onA, onB, onC)) {
            assertThat(alice.awaitEnd(LONG)).isTrue();
        }
        assertThat(node(1).publish("inbox", "for bob").statusCode()).isEqualTo(201);
        await().atMost(LONG).until(() -> data(bobOnB).contains("for bob"));
        assertThat(bobOnB.ended()).isFalse();
        assertThat(bobOnB.parser().events()).extracting(Received::type).containsOnly("message");
    }
}
