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
        } finally {
            server.close();
            hub.close();
        }
    }
}
