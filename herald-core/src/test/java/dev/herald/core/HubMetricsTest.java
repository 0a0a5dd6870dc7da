package dev.herald.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.herald.core.testing.MutableClock;
import dev.herald.core.testing.RecordingSink;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The hub's counters and its {@link MetricsRecorder} reports, moved by real connections. */
class HubMetricsTest {

    private final List<Hub> hubs = new ArrayList<>();
    private final Recorded recorded = new Recorded();

    @AfterEach
    void closeHubs() {
        hubs.forEach(Hub::close);
    }

    private Hub hub(Hub.Builder builder) {
        Hub hub = builder.recorder(recorded).build();
        hubs.add(hub);
        return hub;
    }

    @Test
    void streamsAreCountedByTheirTransportFromStartToEnd() {
        Hub hub = hub(Hub.builder());
        Connection first = start(hub, EventSink.Transport.HTTP2, "t");
        Connection second = start(hub, EventSink.Transport.HTTP2, "t");
        start(hub, EventSink.Transport.HTTP1, "t");
        start(hub, EventSink.Transport.SERVLET, "t");
        hub.open(SubscribeRequest.topics("t").build()).start(new RecordingSink());
        Connection notStarted = hub.open(SubscribeRequest.topics("t").build());

        assertThat(hub.stats().streamsByTransport()).containsExactlyInAnyOrderEntriesOf(Map.of(
                EventSink.Transport.HTTP1, 1, EventSink.Transport.HTTP2, 2,
                EventSink.Transport.SERVLET, 1, EventSink.Transport.OTHER, 1));
        assertThat(hub.stats().connections()).as("one opened, not started").isEqualTo(6);

        first.close();
        second.disconnected();
        notStarted.close();
        notStarted.start(new Labelled(new RecordingSink(), EventSink.Transport.HTTP1));

        await().until(() -> hub.stats().streamsByTransport().get(EventSink.Transport.HTTP2) == 0);
        assertThat(hub.stats().streamsByTransport().get(EventSink.Transport.HTTP1)).isEqualTo(1);
        assertThat(hub.stats().connections()).isEqualTo(3);
    }

    @Test
    void connectionsAreCountedByHowTheirHistoryWasSettled() {
        Hub hub = hub(Hub.builder().eventLog(EventLog.inMemory(RetentionPolicy.of(5, Duration.ofHours(1)))));
        List<Event> published = new ArrayList<>();
        for (int i = 1; i <= 10; i++) {
            published.add(hub.publish(Publication.to("t").data("e" + i).build()));
        }

        hub.open(SubscribeRequest.topics("t").build());
        hub.open(SubscribeRequest.topics("t").build());
        hub.open(SubscribeRequest.topics("t").lastEventId(Long.toString(published.getLast().id())).build());
        hub.open(SubscribeRequest.topics("t").lastEventId(Long.toString(published.getFirst().id())).build());
        hub.open(SubscribeRequest.topics("t").lastEventId(Long.toString(published.getLast().id() + 100)).build());

        assertThat(hub.stats().resumes()).containsExactlyInAnyOrderEntriesOf(Map.of(
                ResumeStatus.LIVE, 2L, ResumeStatus.RESUMED, 1L, ResumeStatus.EXPIRED, 1L, ResumeStatus.UNKNOWN, 1L));
        // The expired client had event 1; retention kept 6 to 10, so it missed positions 2 to 5.
        assertThat(hub.stats().droppedExpired()).isEqualTo(4);
    }

    @Test
    void eventsASubscriberMayNotSeeAreCountedOncePerConnectionThatSelectedThem() {
        Hub hub = hub(Hub.builder());
        RecordingSink anonymous = new RecordingSink();
        hub.open(SubscribeRequest.topics("books/{id}").build()).start(anonymous);
        RecordingSink alice = new RecordingSink();
        hub.open(SubscribeRequest.topics("books/{id}").subscriber(Subscriber.user("alice")).build()).start(alice);
        awaitLive(hub, 2);

        hub.publish(Publication.to("books/1").data("for alice").audience("alice").build());
        hub.publish(Publication.to("books/2").data("private").privateEvent(true).build());
        hub.publish(Publication.to("books/3").data("public").build());

        await().until(() -> anonymous.events("message").size() == 1 && alice.events("message").size() == 2);
        // The anonymous stream selected three events and could see one; alice could not see one.
        await().until(() -> hub.stats().droppedNotPermitted() == 3);
    }

    @Test
    void aSlowClientsDiscardedFramesAreCountedWithItsDisconnect() {
        Hub hub = hub(Hub.builder().queueCapacity(64));
        RecordingSink slow = new RecordingSink();
        hub.open(SubscribeRequest.topics("t").build()).start(slow);
        awaitLive(hub, 1);
        slow.block();

        for (int i = 0; i < 200 && hub.stats().slowDisconnects() == 0; i++) {
            hub.publish(Publication.to("t").data("e" + i).build());
            if (i == 0) {
                await().until(() -> slow.blockedCalls() == 1);
            }
        }

        await().until(() -> hub.stats().slowDisconnects() == 1);
        assertThat(hub.stats().droppedSlow()).as("the full queue and the frame that did not fit").isEqualTo(65);
        slow.unblock();
    }

    @Test
    void theTimeFromStoringToWritingIsSampledOnLiveDeliveriesOnly() {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        Hub hub = hub(Hub.builder().clock(clock).heartbeat(HeartbeatPolicy.disabled()));
        hub.publish(Publication.to("t").data("history").build());
        RecordingSink sink = new RecordingSink();
        hub.open(SubscribeRequest.topics("t").lastEventId("0").build()).start(sink);
        awaitLive(hub, 1);
        await().until(() -> sink.events("message").size() == 1);
        assertThat(recorded.latencies).as("a replayed event is history, not latency").isEmpty();
        sink.block();

        hub.publish(Publication.to("t").data("first live").build());
        await().until(() -> sink.blockedCalls() == 1);
        for (int i = 1; i <= MetricsRecorder.DELIVERY_SAMPLE; i++) {
            hub.publish(Publication.to("t").data("e" + i).build());
        }
        clock.advance(Duration.ofMillis(2500));
        sink.unblock();

        await().until(() -> sink.events("message").size() == 2 + MetricsRecorder.DELIVERY_SAMPLE);
        // The first live event went out at once; the 64th after it waited 2.5 s behind the blocked write.
        assertThat(recorded.latencies).containsExactly(0L, Duration.ofMillis(2500).toNanos());
    }

    @Test
    void theTimerSamplesQueueDepthsAndSubscriptionsBySelector() {
        MutableClock clock = MutableClock.startingNow();
        Hub hub = hub(Hub.builder().clock(clock).heartbeat(HeartbeatPolicy.disabled()));
        for (int i = 0; i < 3; i++) {
            hub.open(SubscribeRequest.topics("a").build()).start(new RecordingSink());
        }
        for (int i = 0; i < 2; i++) {
            hub.open(SubscribeRequest.topics("b").build()).start(new RecordingSink());
        }
        RecordingSink blocked = new RecordingSink();
        hub.open(SubscribeRequest.topics("c", "d").build()).start(blocked);
        for (char topic = 'e'; topic <= 'm'; topic++) {
            hub.open(SubscribeRequest.topics(String.valueOf(topic)).build()).start(new RecordingSink());
        }
        awaitLive(hub, 15);
        blocked.block();
        hub.publish(Publication.to("c").data("written").build());
        await().until(() -> blocked.blockedCalls() == 1);
        for (int i = 0; i < 4; i++) {
            hub.publish(Publication.to("c").data("queued").build());
        }
        await().until(() -> hub.connections().stream().anyMatch(c -> c.queued() == 4));

        // The timer samples at its first tick, then every few seconds of the hub's clock.
        clock.advance(Duration.ofSeconds(5));

        await().until(() -> recorded.sample != null && recorded.sample.depths().contains(4));
        Sample sample = recorded.sample;
        assertThat(sample.top()).hasSize(MetricsRecorder.TOP_SELECTORS).containsEntry("a", 3).containsEntry("b", 2);
        assertThat(List.copyOf(sample.top().keySet()).subList(0, 2)).containsExactly("a", "b");
        assertThat(sample.others()).as("13 selectors: the 3 least used are summed").isEqualTo(3);
        assertThat(sample.depths()).hasSize(15).containsOnly(0, 4);
        blocked.unblock();
    }

    @Test
    void failuresOfTheEventLogAreCountedAsAppendsOrReads() {
        FailingLog log = new FailingLog();
        Hub hub = hub(Hub.builder().eventLog(log).pollInterval(Duration.ofMillis(20)));
        log.failing = true;

        assertThatThrownBy(() -> hub.publish(Publication.to("t").data("x").build())).isInstanceOf(EventLogException.class);
        assertThatThrownBy(() -> hub.publishAsync(Publication.to("t").data("x").build()).join())
                .isInstanceOf(CompletionException.class).hasCauseInstanceOf(EventLogException.class);
        assertThatThrownBy(() -> hub.open(SubscribeRequest.topics("t").build())).isInstanceOf(EventLogException.class);

        assertThat(hub.stats().storeAppendErrors()).isEqualTo(2);
        // The open, and the dispatcher's reads while the log is down.
        await().until(() -> hub.stats().storeReadErrors() >= 2);
        log.failing = false;
        hub.publish(Publication.to("t").data("x").build());
        assertThat(hub.stats().storeAppendErrors()).isEqualTo(2);
    }

    private static Connection start(Hub hub, EventSink.Transport transport, String topic) {
        Connection connection = hub.open(SubscribeRequest.topics(topic).build());
        connection.start(new Labelled(new RecordingSink(), transport));
        return connection;
    }

    private static void awaitLive(Hub hub, int connections) {
        await().until(() -> hub.connections().size() == connections
                && hub.connections().stream().allMatch(c -> c.state() == ConnectionInfo.State.LIVE));
    }

    /** One round of the timer's samples. */
    private record Sample(List<Integer> depths, Map<String, Integer> top, int others) {
    }

    /** What the hub reported to its recorder. */
    private static final class Recorded implements MetricsRecorder {
        final ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        /** The timer's thread only. */
        private final List<Integer> depths = new ArrayList<>();
        volatile Sample sample;

        @Override
        public void deliveryLatency(long nanos) {
            latencies.add(nanos);
        }

        @Override
        public void queueDepth(int frames) {
            depths.add(frames);
        }

        @Override
        public void subscriptions(Map<String, Integer> top, int others) {
            // The last report of a round: the depths so far belong to it.
            sample = new Sample(List.copyOf(depths), top, others);
            depths.clear();
        }
    }

    /** A recording sink that says it belongs to a transport. */
    private record Labelled(RecordingSink sink, EventSink.Transport transport) implements EventSink {
        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            sink.write(bytes, offset, length);
        }

        @Override
        public void flush() throws IOException {
            sink.flush();
        }

        @Override
        public void close() {
            sink.close();
        }

        @Override
        public void abort() {
            sink.abort();
        }

        @Override
        public Executor executor() {
            return sink.executor();
        }

        @Override
        public boolean isWritable() {
            return sink.isWritable();
        }
    }

    /** An in-memory log that fails every append and read while told to. */
    private static final class FailingLog implements EventLog {
        private final EventLog log = EventLog.inMemory(RetentionPolicy.defaults());
        volatile boolean failing;

        private void check() {
            if (failing) {
                throw new EventLogException("the database is down");
            }
        }

        @Override
        public Event append(Publication publication) {
            check();
            return log.append(publication);
        }

        @Override
        public CompletableFuture<Event> appendAsync(Publication publication) {
            return failing ? CompletableFuture.failedFuture(new EventLogException("the database is down"))
                    : log.appendAsync(publication);
        }

        @Override
        public LogPage readAfter(long afterId, int limit) {
            check();
            return log.readAfter(afterId, limit);
        }

        @Override
        public OptionalLong idOfKey(String key) {
            check();
            return log.idOfKey(key);
        }

        @Override
        public void close() {
            log.close();
        }
    }
}
