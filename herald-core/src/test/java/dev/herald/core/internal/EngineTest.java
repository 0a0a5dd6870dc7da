package dev.herald.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.herald.core.Connection;
import dev.herald.core.ConnectionLimitException;
import dev.herald.core.ConnectionLimits;
import dev.herald.core.EventBus;
import dev.herald.core.HeartbeatPolicy;
import dev.herald.core.InMemoryEventLog;
import dev.herald.core.RetentionPolicy;
import dev.herald.core.SubscribeRequest;
import dev.herald.core.Subscriber;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EngineTest {

    private final List<Engine> engines = new ArrayList<>();

    @AfterEach
    void close() {
        engines.forEach(Engine::close);
    }

    private Engine engine(ConnectionLimits limits) {
        EngineSettings settings = new EngineSettings(Duration.ofSeconds(3), HeartbeatPolicy.disabled(), limits, 1024,
                1 << 22, Duration.ZERO, 65536, Duration.ofSeconds(30), Duration.ofSeconds(1), Duration.ofSeconds(5), 64);
        Engine engine = new Engine(settings, new InMemoryEventLog(RetentionPolicy.defaults(), InstantSource.system()),
                EventBus.local(), InstantSource.system());
        engine.start();
        engines.add(engine);
        return engine;
    }

    private static SubscribeRequest tab(String user, String clientId) {
        return SubscribeRequest.topics("t").subscriber(Subscriber.user(user)).clientId(clientId).build();
    }

    @Test
    void racingOpensWithOneClientIdLeaveExactlyOneConnectionAndNothingBehind() throws Exception {
        Engine engine = engine(ConnectionLimits.of(10_000, 10_000));
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < 2000; i++) {
                        engine.open(tab("alice", "tab"));
                    }
                }));
            }
            for (Future<?> future : futures) {
                future.get();
            }
        }

        assertThat(engine.connectionCount()).isEqualTo(1);
        engine.connections().forEach(info -> assertThat(info.clientId()).isEqualTo("tab"));
        assertThat(engine.unfinishedCount()).isEqualTo(1);
        engine.registry().all().forEach(StreamConnection::close);
        await().until(() -> engine.unfinishedCount() == 0 && engine.connectionCount() == 0);
    }

    @Test
    void aRefusedOpenLeavesTheOtherConnectionsAlone() {
        Engine engine = engine(ConnectionLimits.of(2, 2));
        Connection alice = engine.open(tab("alice", "tab"));
        Connection bob = engine.open(tab("bob", "tab"));

        assertThatThrownBy(() -> engine.open(tab("carol", "tab"))).isInstanceOf(ConnectionLimitException.class);

        assertThat(alice.isOpen()).isTrue();
        assertThat(bob.isOpen()).isTrue();
    }

    @Test
    void aReplacementIsAcceptedEvenWhenTheHubIsFull() {
        Engine engine = engine(ConnectionLimits.of(2, 2));
        Connection first = engine.open(tab("alice", "tab"));
        engine.open(tab("bob", "tab"));

        Connection again = engine.open(tab("alice", "tab"));

        assertThat(first.isOpen()).isFalse();
        assertThat(again.isOpen()).isTrue();
        assertThat(engine.connectionCount()).isEqualTo(2);
    }

    @Test
    void aCursorNamingIdsTheLogNeverIssuedIsNotTakenAsAResume() {
        Engine engine = engine(ConnectionLimits.defaults());
        long last = engine.log().append(dev.herald.core.Publication.to("t").data("x").build()).id();

        Connection connection = engine.open(SubscribeRequest.topics("t").lastEventId(last + "~" + (last + 5)).build());

        assertThat(connection.resumeStatus()).isEqualTo(dev.herald.core.ResumeStatus.UNKNOWN);
    }
}
