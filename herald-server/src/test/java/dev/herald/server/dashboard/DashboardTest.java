package dev.herald.server.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.herald.core.Connection;
import dev.herald.core.ConnectionInfo;
import dev.herald.core.Hub;
import dev.herald.core.Presence;
import dev.herald.core.Publication;
import dev.herald.core.SubscribeRequest;
import dev.herald.core.testing.MutableClock;
import dev.herald.core.testing.RecordingSink;
import dev.herald.core.testing.SseParser.Received;
import dev.herald.http.Access;
import dev.herald.http.AccessDeniedException;
import dev.herald.http.AuthenticationRequiredException;
import dev.herald.server.dashboard.DashboardSnapshot.NodeCount;
import dev.herald.server.dashboard.DashboardSnapshot.TopicCount;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class DashboardTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Hub hub = Hub.builder().build();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final MutableClock clock = MutableClock.startingNow();
    private final Dashboard dashboard = new Dashboard(hub, Presence.local(hub), "local", registry, clock);
    private final List<RecordingSink> sinks = new ArrayList<>();

    @AfterEach
    void close() {
        dashboard.destroy();
        hub.close();
    }

    private Connection open(String selector) {
        Connection connection = hub.open(SubscribeRequest.topics(selector).build());
        RecordingSink sink = new RecordingSink();
        connection.start(sink);
        sinks.add(sink);
        return connection;
    }

    private RecordingSink watch() {
        Connection viewer = open(Dashboard.TOPIC);
        RecordingSink sink = sinks.getLast();
        dashboard.watch(viewer);
        await().until(() -> sink.events(Dashboard.MESSAGE_TYPE).size() == 1);
        return sink;
    }

    private static JsonNode last(RecordingSink sink) {
        List<Received> snapshots = sink.events(Dashboard.MESSAGE_TYPE);
        return JSON.readTree(snapshots.getLast().data());
    }

    @Test
    void viewersGetASnapshotAtOnceThenOneEveryTickWithTheEventsMetadataButNeverTheirData() {
        open("orders/{id}");
        open("orders/{id}");
        open("news");
        RecordingSink viewer = watch();
        for (int i = 0; i < 3; i++) {
            hub.publish(Publication.to("orders/1").type("order-paid").data("card ending 4242").build());
        }

        clock.advance(Duration.ofSeconds(1));
        dashboard.tick();

        await().until(() -> viewer.events(Dashboard.MESSAGE_TYPE).size() == 2);
        JsonNode snapshot = last(viewer);
        assertThat(snapshot.get("node").asString()).isEqualTo("local");
        assertThat(snapshot.get("connections").asInt()).isEqualTo(4);
        assertThat(snapshot.get("publishedPerSecond").asDouble()).isEqualTo(3.0);
        assertThat(snapshot.get("published").asLong()).isEqualTo(3);
        assertThat(snapshot.get("topics").toString()).isEqualTo("[{\"selector\":\"orders/{id}\",\"connections\":2},"
                + "{\"selector\":\"news\",\"connections\":1}]");
        assertThat(snapshot.get("nodes").toString()).isEqualTo("[{\"node\":\"local\",\"connections\":4}]");
        assertThat(snapshot.get("events")).hasSize(3).allSatisfy(event -> {
            assertThat(event.get("topics").toString()).isEqualTo("[\"orders/1\"]");
            assertThat(event.get("type").asString()).isEqualTo("order-paid");
            assertThat(event.get("bytes").asLong()).isEqualTo("card ending 4242".length());
        });
        assertThat(snapshot.has("latency")).isFalse();
        assertThat(viewer.text()).doesNotContain("4242");
    }

    @Test
    void withTheDeliveryLatencyTimerSnapshotsCarryItsPercentiles() {
        Timer timer = Timer.builder(DeliveryLatency.TIMER).publishPercentiles(0.5, 0.9, 0.99).register(registry);
        timer.record(Duration.ofMillis(7));
        RecordingSink viewer = watch();

        dashboard.tick();

        await().until(() -> viewer.events(Dashboard.MESSAGE_TYPE).size() == 2);
        JsonNode latency = last(viewer).get("latency");
        assertThat(latency.get("p50").asDouble()).isGreaterThan(6).isLessThan(8);
        assertThat(latency.has("p90")).isTrue();
        assertThat(latency.has("p99")).isTrue();
    }

    @Test
    void aViewerWhoseStreamClosedIsDroppedAndTheNodeReportIsSharedWithoutViewers() {
        Connection viewer = open(Dashboard.TOPIC);
        RecordingSink sink = sinks.getLast();
        dashboard.watch(viewer);
        await().until(() -> sink.events(Dashboard.MESSAGE_TYPE).size() == 1);
        viewer.close();
        await().until(sink::isClosed);

        dashboard.tick();

        assertThat(sink.events(Dashboard.MESSAGE_TYPE)).hasSize(1);
        assertThat(Presence.local(hub).shared(Dashboard.SHARED_NAME)).isEmpty(); // another presence: nothing shared there
        Presence presence = Presence.local(hub);
        Dashboard sharing = new Dashboard(hub, presence, "node-a", registry, clock);
        try {
            sharing.tick();
            assertThat(presence.shared(Dashboard.SHARED_NAME)).containsExactly("{\"node\":\"node-a\",\"connections\":0}");
        } finally {
            sharing.destroy();
        }
        assertThat(presence.shared(Dashboard.SHARED_NAME)).isEmpty();
    }

    @Test
    void onlyAdminsAndTrustedCallersMayWatch() {
        Dashboard.checkAccess(Access.trusted(null));
        Dashboard.checkAccess(Access.user("ops").admin(true).build());

        assertThatThrownBy(() -> Dashboard.checkAccess(Access.user("alice").subscribe("*").build()))
                .isInstanceOf(AccessDeniedException.class);
        assertThatThrownBy(() -> Dashboard.checkAccess(Access.anonymous(List.of())))
                .isInstanceOf(AuthenticationRequiredException.class);
    }

    @Test
    void busiestTopicsCountOpenStreamsBySelectorLeavingOutHeraldsOwnAndClosingStreams() {
        List<ConnectionInfo> connections = new ArrayList<>();
        for (int i = 0; i < 15; i++) {
            for (int j = 0; j <= i; j++) {
                connections.add(info(List.of("topic-" + i), ConnectionInfo.State.LIVE));
            }
        }
        connections.add(info(List.of(Dashboard.TOPIC), ConnectionInfo.State.LIVE));
        connections.add(info(List.of("topic-0", "closing"), ConnectionInfo.State.CLOSING));

        List<TopicCount> busiest = Dashboard.busiestTopics(connections, 10);

        assertThat(busiest).hasSize(10).first().isEqualTo(new TopicCount("topic-14", 15));
        assertThat(busiest).last().isEqualTo(new TopicCount("topic-5", 6));
        assertThat(busiest).extracting(TopicCount::selector).doesNotContain(Dashboard.TOPIC, "closing");
    }

    @Test
    void nodeReportsThatCannotBeReadAreSkipped() {
        assertThat(Dashboard.nodes(List.of("{\"node\":\"a\",\"connections\":3}", "not json", "{}", "{\"node\":\"b\",\"connections\":0}")))
                .containsExactly(new NodeCount("a", 3), new NodeCount("b", 0));
    }

    private static ConnectionInfo info(List<String> topics, ConnectionInfo.State state) {
        return new ConnectionInfo(1, null, null, topics, Instant.EPOCH, 0, state);
    }
}
