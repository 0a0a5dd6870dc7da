package dev.herald.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.core.Hub;
import dev.herald.netty.HeraldNettyServer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The connect and reconnect storms against a real Herald server on an ephemeral port. */
class StormTest {

    private Hub hub;
    private HeraldNettyServer server;
    private String origin;

    @BeforeEach
    void start() throws Exception {
        hub = Hub.builder().build();
        server = HeraldNettyServer.builder(hub).host("127.0.0.1").port(0).build().start();
        origin = "http://127.0.0.1:" + server.port();
    }

    @AfterEach
    void stop() {
        server.close();
        hub.close();
    }

    private LoadGenerator.Config load(int subscribers, int topics, double rate, Duration duration) {
        return new LoadGenerator.Config(UrlTemplate.of(origin + "/events?topic={topic}"), UrlTemplate.of(origin + "/events"),
                PublishFormat.HERALD_JSON, subscribers, topics, rate, duration, 64, 1, 64, Duration.ofMillis(200),
                "s" + System.nanoTime() % 100000 + "t", 0).with(PublishMode.PACED);
    }

    @Test
    @Timeout(60)
    void aConnectStormConnectsEverySubscriberAWindowAtATime() throws Exception {
        try (LoadGenerator generator = new LoadGenerator(2)) {
            ConnectStorm.Result result = ConnectStorm.run(generator, new ConnectStorm.Config(load(60, 2, -1, Duration.ZERO), 10, false),
                    new ServerProbe(List::of));

            assertThat(result.connected()).isEqualTo(60);
            assertThat(result.refused()).isZero();
            assertThat(result.connectionsPerSecond()).isPositive();
            assertThat(result.replayed()).isZero();
            assertThat(result.before().heapUsedBytes()).as("not a JVM probe").isEqualTo(-1);
        }
    }

    @Test
    @Timeout(60)
    void aConnectStormWithResumeReplaysTheTailAfterTheResumedEventToEverySubscriber() throws Exception {
        try (LoadGenerator generator = new LoadGenerator(2)) {
            ConnectStorm.Result result = ConnectStorm.run(generator, new ConnectStorm.Config(load(40, 2, -1, Duration.ZERO), 8, true),
                    new ServerProbe(List::of));

            assertThat(result.connected()).isEqualTo(40);
            assertThat(result.replayExpected()).isEqualTo(40L * (ConnectStorm.TAIL - ConnectStorm.RESUME_AFTER));
            assertThat(result.replayed()).isEqualTo(result.replayExpected());
            assertThat(result.replayRepeated()).isZero();
        }
    }

    @Test
    @Timeout(90)
    void everySubscriberResumesFromAReconnectStormWithoutALossOrARepeat() throws Exception {
        try (LoadGenerator generator = new LoadGenerator(2)) {
            ReconnectStorm.Result result = ReconnectStorm.run(generator,
                    new ReconnectStorm.Config(load(30, 2, 200, Duration.ofSeconds(3)), 10, Duration.ofSeconds(1), Duration.ofMillis(500)),
                    new ServerProbe(List::of));

            assertThat(result.connected()).isEqualTo(30);
            assertThat(result.published()).isEqualTo(result.offered()).isEqualTo(600);
            assertThat(result.stormed()).isEqualTo(30);
            assertThat(result.resumed()).isEqualTo(30);
            assertThat(result.recoverySeconds()).isBetween(0.4, 30.0);
            assertThat(result.resumeMicros().getTotalCount()).isEqualTo(30);
            assertThat(result.lost()).isZero();
            assertThat(result.repeated()).isZero();
            assertThat(result.serverDrops()).isZero();
            assertThat(result.deliveries()).isEqualTo(result.expected()).isEqualTo(30L * 300);
            assertThat(result.latencyBefore().getTotalCount()).isPositive();
            assertThat(result.latencyAfter().getTotalCount()).isPositive();
        }
    }

    @Test
    @Timeout(60)
    void aJvmsMemoryIsReadByKind() {
        MemoryBreakdown memory = ServerProbe.jvm(ProcessHandle.current().pid(), null).memory();

        assertThat(memory.rssBytes()).isPositive();
        assertThat(memory.heapUsedBytes()).isPositive().isLessThanOrEqualTo(memory.heapCommittedBytes());
        assertThat(memory.threads()).isPositive();
        assertThat(memory.directBytes()).as("no Prometheus scrape").isEqualTo(-1);
    }
}
