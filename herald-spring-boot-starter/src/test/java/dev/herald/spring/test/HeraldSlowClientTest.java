package dev.herald.spring.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.core.Hub;
import dev.herald.core.Publication;
import dev.herald.core.testing.SseWireClient;
import dev.herald.spring.testing.RunningServer;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.tomcat.TomcatConnectorCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

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
@Import(HeraldMeterRegistry.class)
class HeraldSlowClientTest {

    @TestConfiguration
    static class SmallSendBuffers {
        @Bean
        TomcatConnectorCustomizer smallSendBuffers() {
            return connector -> connector.setProperty("socket.txBufSize", "16384");
        }
    }

    @Autowired
    Hub hub;

    @Autowired
    MeterRegistry registry;

    /** A hundred streams and a stalled one take a while to end after the test. */
    @RegisterExtension
    final RunningServer server = new RunningServer(Duration.ofSeconds(40));

    @Test
    void aSubscriberThatStopsReadingIsDisconnectedWhileAHundredOthersReceiveEverything() throws Exception {
        server.stalled("/events?topic=firehose");
        List<SseWireClient> readers = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            readers.add(server.stream("/events?topic=firehose"));
        }
        server.awaitLive(101);
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
