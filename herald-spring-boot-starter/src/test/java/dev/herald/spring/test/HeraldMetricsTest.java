package dev.herald.spring.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.core.Hub;
import dev.herald.core.Publication;
import dev.herald.core.testing.SseParser.Received;
import dev.herald.core.testing.SseWireClient;
import dev.herald.spring.testing.RunningServer;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;

/**
 * Herald's meters in a servlet application with durable (H2) history, moved by streams on real
 * sockets: connections by transport, resumes, drops, delivery and commit latencies, queue depths
 * and subscriptions by selector.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "herald.history.store=h2",
    "herald.data-dir=target/test-data/${random.uuid}",
    "herald.heartbeat=200ms",
})
@Import(HeraldMeterRegistry.class)
class HeraldMetricsTest {

    @Autowired
    Hub hub;

    @Autowired
    MeterRegistry registry;

    @RegisterExtension
    final RunningServer server = new RunningServer();

    @Test
    void everyMeterIsRegisteredWithItsTags() {
        assertThat(tagValues("herald.connections", "transport")).containsExactlyInAnyOrder("http1", "http2", "servlet", "other");
        assertThat(tagValues("herald.resumes", "status")).containsExactlyInAnyOrder("live", "resumed", "expired", "unknown");
        assertThat(tagValues("herald.events.dropped", "reason")).containsExactlyInAnyOrder("slow-client", "not-permitted", "expired");
        assertThat(registry.get("herald.store.errors").tags("store", "jdbc").functionCounters()).hasSize(2);
        assertThat(tagValues("herald.store.errors", "operation")).containsExactlyInAnyOrder("append", "read");
        for (String counter : Set.of("herald.connections.opened", "herald.connections.refused", "herald.connections.slow",
                "herald.events.published", "herald.events.delivered", "herald.events.replayed", "herald.resets")) {
            assertThat(registry.get(counter).functionCounter()).as(counter).isNotNull();
        }
        assertThat(registry.get("herald.delivery.latency").timer()).isNotNull();
        assertThat(registry.get("herald.store.commit.latency").tags("store", "jdbc").timer()).isNotNull();
        assertThat(registry.get("herald.queue.depth").summary()).isNotNull();
        assertThat(registry.get("herald.cluster.nodes").gauge().value()).isEqualTo(1);
    }

    @Test
    void streamsAndPublicationsMoveTheMeters() throws Exception {
        long commitsBefore = registry.get("herald.store.commit.latency").timer().count();
        long resumedBefore = counter("herald.resumes", "status", "resumed");
        long liveBefore = counter("herald.resumes", "status", "live");
        long notPermittedBefore = counter("herald.events.dropped", "reason", "not-permitted");

        SseWireClient first = server.stream("/events?topic=metrics/orders");
        await().until(() -> gauge("herald.connections", "transport", "servlet") == 1);
        assertThat(gauge("herald.connections", "transport", "http1")).isZero();
        assertThat(gauge("herald.connections", "transport", "other")).isZero();
        assertThat(counter("herald.resumes", "status", "live")).isEqualTo(liveBefore + 1);

        hub.publish(Publication.to("metrics/orders").data("one").build());
        hub.publish(Publication.to("metrics/orders").data("two").build());
        hub.publish(Publication.to("metrics/orders").data("hidden").privateEvent(true).build());
        await().until(() -> first.parser().events().size() == 2);

        assertThat(registry.get("herald.store.commit.latency").timer().count()).isEqualTo(commitsBefore + 3);
        await().until(() -> registry.get("herald.delivery.latency").timer().count() >= 1);
        assertThat(registry.get("herald.delivery.latency").timer().max(java.util.concurrent.TimeUnit.SECONDS)).isLessThan(10);
        await().until(() -> counter("herald.events.dropped", "reason", "not-permitted") == notPermittedBefore + 1);

        String lastId = first.parser().events().getFirst().lastEventId();
        SseWireClient resumed = server.stream("/events?topic=metrics/orders", Map.of("Last-Event-ID", lastId));
        await().until(() -> resumed.parser().events().size() == 1);
        assertThat(resumed.parser().events()).extracting(Received::data).containsExactly("two");
        assertThat(counter("herald.resumes", "status", "resumed")).isEqualTo(resumedBefore + 1);
        assertThat(gauge("herald.connections", "transport", "servlet")).isEqualTo(2);

        // The hub samples its connections every few seconds.
        await().atMost(Duration.ofSeconds(15))
                .until(() -> gauge("herald.subscriptions", "selector", "metrics/orders") == 2);
        assertThat(registry.get("herald.subscriptions").tag("selector", "other").gauge().value()).isZero();
        assertThat(registry.get("herald.queue.depth").summary().count()).isPositive();
    }

    private Set<String> tagValues(String name, String key) {
        return registry.get(name).meters().stream().map(meter -> meter.getId().getTag(key)).collect(Collectors.toSet());
    }

    private long counter(String name, String key, String value) {
        return (long) registry.get(name).tags(Tags.of(key, value)).functionCounter().count();
    }

    private double gauge(String name, String key, String value) {
        Meter meter = registry.find(name).tags(key, value).gauge();
        return meter == null ? -1 : registry.get(name).tags(key, value).gauge().value();
    }
}
