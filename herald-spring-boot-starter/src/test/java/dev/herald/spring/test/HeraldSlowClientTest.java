package dev.herald.spring.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.core.ConnectionInfo;
import dev.herald.core.Hub;
import dev.herald.core.Publication;
import dev.herald.core.testing.SseWireClient;
import dev.herald.core.testing.WireClients;
import dev.herald.spring.boot.HeraldMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.tomcat.TomcatConnectorCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * A subscriber on a real socket that stops reading, among a hundred that keep reading. The
 * server's socket send buffer is fixed small here, as on a busy host: otherwise Linux lets a few
 * megabytes pile up in kernel buffers before a write blocks.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "herald.queue-capacity=32",
    "herald.heartbeat=200ms",
    "spring.threads.virtual.enabled=true",
})
class HeraldSlowClientTest {

    @TestConfiguration
    static class SmallSendBuffers {
        @Bean
        TomcatConnectorCustomizer smallSendBuffers() {
            return connector -> connector.setProperty("socket.txBufSize", "16384");
        }

        @Bean
        SimpleMeterRegistry heraldTestRegistry(HeraldMetrics metrics) {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            metrics.bindTo(registry);
            return registry;
        }
    }

    @LocalServerPort
    int port;

    @Autowired
    Hub hub;

    @Autowired
    MeterRegistry registry;

    private WireClients clients;

    @BeforeEach
    void clients() {
        clients = new WireClients(port);
    }

    @AfterEach
    void closeClients() throws Exception {
        clients.close();
        try {
            await().atMost(Duration.ofSeconds(40)).until(() -> hub.stats().connections() == 0);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            // Say what is left, so that a failure here can be understood from the report alone.
            System.out.println("Connections left: " + hub.connections());
            java.util.Arrays.stream(java.lang.management.ManagementFactory.getThreadMXBean().dumpAllThreads(true, true))
                    .filter(t -> t.getThreadName().startsWith("herald") || t.getThreadName().startsWith("http-nio"))
                    .forEach(System.out::println);
            throw e;
        }
    }

    @Test
    void aSubscriberThatStopsReadingIsDisconnectedWhileAHundredOthersReceiveEverything() throws Exception {
        clients.stalled("/events?topic=firehose");
        List<SseWireClient> readers = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            readers.add(clients.get("/events?topic=firehose"));
        }
        await().until(() -> hub.connections().size() == 101
                && hub.connections().stream().allMatch(c -> c.state() == ConnectionInfo.State.LIVE));
        String payload = "x".repeat(2000);

        // Paced in small waves so the readers keep up; the stalled socket's buffers fill, its
        // writer blocks, and its queue overflows.
        int events = 0;
        for (int wave = 0; wave < 30 && hub.stats().slowDisconnects() == 0 || wave < 10; wave++) {
            for (int i = 0; i < 20; i++) {
                hub.publish(Publication.to("firehose").data(payload).build());
                events++;
            }
            int expected = events;
            await().until(() -> readers.stream().allMatch(r -> r.parser().events().size() == expected));
        }

        assertThat(hub.stats().slowDisconnects()).isEqualTo(1);
        assertThat(hub.stats().connections()).isEqualTo(100);
        assertThat(registry.get("herald.connections.slow").functionCounter().count()).isEqualTo(1);
        assertThat(registry.get("herald.events.dropped").tag("reason", "slow-client").functionCounter().count())
                .as("the stalled stream's queue, discarded").isGreaterThanOrEqualTo(32);
        assertThat(registry.get("herald.connections").tag("transport", "servlet").gauge().value()).isEqualTo(100);
        for (SseWireClient reader : readers) {
            assertThat(reader.parser().events()).hasSize(events).allMatch(e -> e.data().equals(payload));
            assertThat(reader.ended()).isFalse();
        }
    }
}
