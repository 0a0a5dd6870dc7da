package dev.herald.core.internal;

import dev.herald.core.ConnectionLimits;
import dev.herald.core.Event;
import dev.herald.core.EventBus;
import dev.herald.core.HeartbeatPolicy;
import dev.herald.core.InMemoryEventLog;
import dev.herald.core.Publication;
import dev.herald.core.RetentionPolicy;
import dev.herald.core.SubscribeRequest;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Finding the connections an event is for: 10,000 connections, each selecting its own topic
 * exactly, plus a number of URI-template selectors. The cost should follow the matching
 * connections and the distinct templates, not the number of connections.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class MatchBenchmark {

    @Param({"10000"})
    int connections;

    @Param({"0", "10", "100"})
    int templates;

    private Engine engine;
    private SubscriptionIndex index;
    private Event exactHit;
    private Event templateHit;
    private Event miss;
    private final SubscriptionIndex.Scratch scratch = new SubscriptionIndex.Scratch();
    /** Every connection, for the baseline that matches by scanning them all. */
    private final java.util.List<StreamConnection> all = new java.util.ArrayList<>();

    @Setup
    public void setUp() {
        EngineSettings settings = new EngineSettings(Duration.ofSeconds(3), HeartbeatPolicy.disabled(),
                ConnectionLimits.of(1_000_000, 1_000_000), 1024, 1 << 22, Duration.ZERO, 65536, Duration.ofSeconds(30),
                Duration.ofSeconds(1), Duration.ofSeconds(1), 64);
        engine = new Engine(settings, new InMemoryEventLog(RetentionPolicy.defaults(), InstantSource.system()),
                EventBus.local(), InstantSource.system());
        index = new SubscriptionIndex();
        for (int i = 0; i < connections; i++) {
            all.add(engine.open(SubscribeRequest.topics("users/" + i).build()));
        }
        for (int t = 0; t < templates; t++) {
            all.add(engine.open(SubscribeRequest.topics("shop" + t + "/orders/{id}").build()));
        }
        all.forEach(index::add);
        exactHit = new Event(1, Instant.EPOCH, Publication.to("users/4242").data("x").build());
        templateHit = new Event(2, Instant.EPOCH, Publication.to("shop0/orders/7").data("x").build());
        miss = new Event(3, Instant.EPOCH, Publication.to("nobody/listens").data("x").build());
    }

    @TearDown
    public void tearDown() {
        engine.close();
    }

    @Benchmark
    public void exactTopic(Blackhole hole) {
        index.forEachSelecting(exactHit, scratch, hole::consume);
    }

    @Benchmark
    public void templateTopic(Blackhole hole) {
        index.forEachSelecting(templateHit, scratch, hole::consume);
    }

    @Benchmark
    public void noSubscriber(Blackhole hole) {
        index.forEachSelecting(miss, scratch, hole::consume);
    }

    /** The baseline the index replaces: test every connection's selectors against the topic. */
    @Benchmark
    public void exactTopicByScanning(Blackhole hole) {
        String topic = exactHit.topics().getFirst();
        for (StreamConnection connection : all) {
            for (dev.herald.core.TopicSelector selector : connection.topics()) {
                if (selector.matches(topic)) {
                    hole.consume(connection);
                    break;
                }
            }
        }
    }
}
