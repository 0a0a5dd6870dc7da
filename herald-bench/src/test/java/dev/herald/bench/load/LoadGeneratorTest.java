package dev.herald.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.core.Hub;
import dev.herald.netty.HeraldNettyServer;
import dev.herald.netty.ServerTls;
import dev.herald.netty.testing.TestCertificates;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The load generator against a real Herald server on an ephemeral port, over every protocol it speaks. */
class LoadGeneratorTest {

    @TempDir
    Path directory;

    @ParameterizedTest
    @EnumSource(Protocol.class)
    @Timeout(60)
    void everySubscriberReceivesEveryEventInOrderOverEachProtocol(Protocol protocol) throws Exception {
        TestCertificates certificates = protocol.tls() ? TestCertificates.write(directory, "localhost") : null;
        Hub hub = Hub.builder().build();
        HeraldNettyServer server = HeraldNettyServer.builder(hub).host("127.0.0.1").port(0)
                .tls(certificates == null ? null : ServerTls.pem(certificates.certificate(), certificates.privateKey(), null))
                .build().start();
        try (LoadGenerator load = new LoadGenerator(2)) {
            String origin = (protocol.tls() ? "https" : "http") + "://127.0.0.1:" + server.port();
            // The probe is asked for the server's memory before connecting and once connected.
            List<Integer> openConnections = new CopyOnWriteArrayList<>();
            ServerProbe probe = new ServerProbe(() -> {
                openConnections.add(server.openConnections());
                return List.of();
            });
            LoadGenerator.Config config = new LoadGenerator.Config(UrlTemplate.of(origin + "/events?topic={topic}"),
                    UrlTemplate.of(origin + "/events"), PublishFormat.HERALD_JSON, 20, 1, 200, Duration.ofSeconds(1), 64, 1, 8,
                    Duration.ofMillis(200), "t", 0)
                    .with(new Transport(protocol, 5, Transport.DEFAULT_HTTP2_WINDOW, certificates == null ? null : certificates.certificate()));

            LoadGenerator.Result result = load.run(config, probe);

            assertThat(result.connected()).isEqualTo(20);
            assertThat(result.published()).isGreaterThan(100);
            assertThat(result.rejected()).isZero();
            assertThat(result.deliveries()).isEqualTo(result.published() * 20);
            assertThat(result.lost()).isZero();
            assertThat(result.outOfOrder()).isZero();
            assertThat(result.latencyMicros().getTotalCount()).isEqualTo(result.deliveries());
            assertThat(openConnections.get(1)).as("connections holding the 20 streams").isEqualTo(protocol.http2() ? 4 : 20);
            assertThat(result.offered()).as("what 200/s called for in about a second").isBetween(190L, 230L);
            assertThat(result.publishMode()).isEqualTo(PublishMode.PIPELINED);
        } finally {
            server.close();
            hub.close();
        }
    }

    @Test
    @Timeout(60)
    void thePacedPublisherOffersEveryEventOfItsScheduleAndEachIsDelivered() throws Exception {
        Hub hub = Hub.builder().build();
        HeraldNettyServer server = HeraldNettyServer.builder(hub).host("127.0.0.1").port(0).build().start();
        try (LoadGenerator load = new LoadGenerator(2)) {
            String origin = "http://127.0.0.1:" + server.port();
            LoadGenerator.Config config = new LoadGenerator.Config(UrlTemplate.of(origin + "/events?topic={topic}"),
                    UrlTemplate.of(origin + "/events"), PublishFormat.HERALD_JSON, 20, 3, 200, Duration.ofSeconds(1), 64, 2, 8,
                    Duration.ofMillis(200), "p", 0).with(PublishMode.PACED);

            LoadGenerator.Result result = load.run(config, new ServerProbe(List::of));

            assertThat(result.publishMode()).isEqualTo(PublishMode.PACED);
            assertThat(result.offered()).as("200/s for 1 s").isEqualTo(200);
            assertThat(result.published()).isEqualTo(200);
            assertThat(result.acceptedShare()).isEqualTo(1.0);
            assertThat(result.pacingLatenessMicros().getTotalCount()).as("each event sent by the pacer").isEqualTo(200);
            // 3 topics over 20 subscribers: 7, 7 and 6 of them; each topic's events in order on its connection.
            assertThat(result.deliveries()).isEqualTo(result.expectedDeliveries()).isEqualTo(67L * 7 + 67 * 7 + 66 * 6);
            assertThat(result.lost()).isZero();
            assertThat(result.outOfOrder()).isZero();
        } finally {
            server.close();
            hub.close();
        }
    }
}
