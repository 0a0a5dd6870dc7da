package dev.herald.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.herald.core.testing.RecordingSink;
import dev.herald.core.testing.SseParser.Received;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HubTest {

    private final List<Hub> hubs = new ArrayList<>();

    @AfterEach
    void closeHubs() {
        hubs.forEach(Hub::close);
    }

    private Hub hub(Hub.Builder builder) {
        Hub hub = builder.build();
        hubs.add(hub);
        return hub;
    }

    private Hub hub() {
        return hub(Hub.builder());
    }

    /** A started connection and what it received. */
    private record Stream(Connection connection, RecordingSink sink) {
        List<String> data() {
            return sink.events("message").stream().map(Received::data).toList();
        }

        List<Long> ids() {
            return sink.events("message").stream().map(e -> Long.parseLong(e.lastEventId())).toList();
        }
    }

    private static Stream subscribe(Hub hub, SubscribeRequest request) {
        Connection connection = hub.open(request);
        RecordingSink sink = new RecordingSink();
        connection.start(sink);
        return new Stream(connection, sink);
    }

    private static Stream subscribe(Hub hub, String... topics) {
        return subscribe(hub, SubscribeRequest.topics(topics).build());
    }

    private static Publication message(String topic, String data) {
        return Publication.to(topic).data(data).build();
    }

    @Test
    void sendsTheRetryDelayFirstSoTheResponseIsCommittedAtOnce() {
        Hub hub = hub(Hub.builder().retry(Duration.ofMillis(1500)));

        Stream stream = subscribe(hub, "news");

        await().until(() -> stream.sink().flushes() >= 1);
        assertThat(stream.sink().text()).startsWith("retry: 1500\n\n");
        assertThat(stream.sink().parser().retry()).isEqualTo(1500);
    }

    @Test
    void deliversEventsOnlyToConnectionsThatSelectTheirTopic() {
        Hub hub = hub();
        Stream orders = subscribe(hub, "orders/{id}");
        Stream news = subscribe(hub, "news");
        Stream everything = subscribe(hub, "*");
        awaitLive(hub, 3);

        hub.publish(message("orders/1", "order"));
        hub.publish(message("news", "headline"));
        hub.publish(message("weather", "rain"));

        await().until(() -> everything.data().size() == 3);
        assertThat(everything.data()).containsExactly("order", "headline", "rain");
        assertThat(orders.data()).containsExactly("order");
        assertThat(news.data()).containsExactly("headline");
    }

    @Test
    void anEventWithSeveralMatchingTopicsArrivesOnce() {
        Hub hub = hub();
        Stream stream = subscribe(hub, "a", "b", "*");
        awaitLive(hub, 1);

        hub.publish(Publication.to("a", "b").data("once").build());
        hub.publish(message("c", "after"));

        await().until(() -> stream.data().contains("after"));
        assertThat(stream.data()).containsExactly("once", "after");
    }

    @Test
    void audienceAndPrivateEventsReachOnlyEntitledSubscribers() {
        Hub hub = hub();
        Stream alice = subscribe(hub, SubscribeRequest.topics("books/{id}").subscriber(Subscriber.user("alice")).build());
        Stream bob = subscribe(hub, SubscribeRequest.topics("books/{id}").subscriber(Subscriber.user("bob")).build());
        Stream librarian = subscribe(hub, SubscribeRequest.topics("books/{id}")
                .subscriber(new Subscriber("lib", List.of(TopicSelector.parse("books/{id}")))).build());
        Stream anonymous = subscribe(hub, "books/{id}");
        awaitLive(hub, 4);

        hub.publish(Publication.to("books/1").data("for alice").audience("alice").build());
        hub.publish(Publication.to("books/2").data("private").privateEvent(true).build());
        hub.publish(message("books/3", "public"));

        await().until(() -> anonymous.data().contains("public") && bob.data().contains("public")
                && alice.data().contains("public") && librarian.data().contains("public"));
        assertThat(alice.data()).containsExactly("for alice", "public");
        assertThat(bob.data()).containsExactly("public");
        assertThat(librarian.data()).containsExactly("private", "public");
        assertThat(anonymous.data()).containsExactly("public");
    }

    @Test
    void replaysOnlyEventsAfterLastEventIdThenGoesLive() {
        Hub hub = hub();
        List<Event> published = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            published.add(hub.publish(message("t", "e" + i)));
        }

        Stream stream = subscribe(hub, SubscribeRequest.topics("t").lastEventId(Long.toString(published.get(1).id())).build());
        await().until(() -> stream.data().size() == 3);
        hub.publish(message("t", "e6"));

        await().until(() -> stream.data().size() == 4);
        assertThat(stream.data()).containsExactly("e3", "e4", "e5", "e6");
        assertThat(stream.connection().resumeStatus()).isEqualTo(ResumeStatus.RESUMED);
        assertThat(stream.connection().resumePoint()).isEqualTo(Long.toString(published.get(1).id()));
        assertThat(stream.sink().events().getFirst().lastEventId()).isEqualTo(Long.toString(published.get(2).id()));
    }

    @Test
    void replayHonoursTheTopicsAndAudienceOfTheNewSubscription() {
        Hub hub = hub();
        Event start = hub.publish(message("other", "before"));
        hub.publish(message("other", "skip"));
        hub.publish(Publication.to("mine").data("not for alice").audience("bob").build());
        hub.publish(message("mine", "yes"));

        Stream stream = subscribe(hub, SubscribeRequest.topics("mine").subscriber(Subscriber.user("alice"))
                .lastEventId(Long.toString(start.id())).build());

        await().until(() -> stream.data().size() == 1);
        assertThat(stream.data()).containsExactly("yes");
    }

    @Test
    void resumesWithoutGapOrDuplicateWhileEventsArePublishedConcurrently() throws Exception {
        // Publishers here outrun any socket; a queue that holds the whole burst keeps this test
        // about ordering rather than about slow readers.
        Hub hub = hub(Hub.builder().queueCapacity(5000));
        int publishers = 4;
        int perPublisher = 750;
        AtomicLong lastPublished = new AtomicLong();
        List<Stream> streams = new ArrayList<>();
        List<Long> starts = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(publishers)) {
            List<Future<?>> running = new ArrayList<>();
            for (int p = 0; p < publishers; p++) {
                int publisher = p;
                running.add(pool.submit(() -> {
                    for (int i = 0; i < perPublisher; i++) {
                        long id = hub.publish(message("t", publisher + ":" + i)).id();
                        lastPublished.accumulateAndGet(id, Math::max);
                    }
                }));
            }
            // Subscribers arrive while publishing goes on, some live, some resuming from a past id.
            for (int s = 0; s < 24; s++) {
                Thread.sleep(ThreadLocalRandom.current().nextInt(3));
                long seen = lastPublished.get();
                SubscribeRequest.Builder request = SubscribeRequest.topics("t");
                if (s % 2 == 0 && seen > 0) {
                    request.lastEventId(Long.toString(seen - ThreadLocalRandom.current().nextInt(50)));
                }
                Stream stream = subscribe(hub, request.build());
                streams.add(stream);
                starts.add(Long.parseLong(stream.connection().resumePoint()));
            }
            for (Future<?> future : running) {
                future.get();
            }
        }
        long last = lastPublished.get();

        for (int s = 0; s < streams.size(); s++) {
            Stream stream = streams.get(s);
            long start = starts.get(s);
            List<Long> expected = hubIds(hub, start, last);
            await().untilAsserted(() -> assertThat(stream.ids()).as("stream from %d", start).isEqualTo(expected));
        }
    }

    @Test
    void aClientThatReconnectsRepeatedlyWithItsLastEventIdMissesNothing() throws Exception {
        Hub hub = hub();
        List<String> received = new ArrayList<>();
        // The first connection opens before the first event, so nothing precedes it.
        Stream stream = subscribe(hub, "t");
        int sessions = 1;
        java.util.concurrent.atomic.AtomicInteger sessionCount = new java.util.concurrent.atomic.AtomicInteger(1);
        try (ExecutorService pool = Executors.newSingleThreadExecutor()) {
            Future<?> publishing = pool.submit(() -> {
                for (int i = 0; i < 2000; i++) {
                    // Reconnections interleave with publishing however fast this machine publishes:
                    // every 160 events, wait for the client to have reconnected once more.
                    int checkpoint = i / 160 + 1;
                    if (i % 160 == 0) {
                        await().until(() -> sessionCount.get() >= Math.min(checkpoint, 12));
                    }
                    hub.publish(message("t", "e" + i));
                }
            });
            // Like a browser's EventSource: whenever the stream ends (we cut it at random, or the
            // hub closes it because the burst overflowed its queue), reconnect with the last id.
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!(publishing.isDone() && stream.data().contains("e1999")) && System.nanoTime() < deadline) {
                Thread.sleep(ThreadLocalRandom.current().nextInt(1, 5));
                if (sessions < 12 || !stream.connection().isOpen()) {
                    stream.connection().disconnected();
                    await().until(stream.sink()::isClosed);
                    received.addAll(stream.data());
                    // A client that got no event yet resumes from the stream's Last-Event-ID header.
                    String lastEventId = stream.sink().parser().lastEventId();
                    stream = subscribe(hub, SubscribeRequest.topics("t")
                            .lastEventId(lastEventId.isEmpty() ? stream.connection().resumePoint() : lastEventId).build());
                    sessions++;
                    sessionCount.set(sessions);
                }
            }
            publishing.get();
        }
        received.addAll(stream.data());

        assertThat(sessions).isGreaterThanOrEqualTo(12);
        assertThat(received).containsExactlyElementsOf(LongStream.range(0, 2000).mapToObj(i -> "e" + i).toList());
    }

    @Test
    void tellsAClientWhoseHistoryExpiredThenReplaysWhatIsLeft() {
        Hub hub = hub(Hub.builder().eventLog(EventLog.inMemory(RetentionPolicy.of(5, Duration.ofHours(1)))));
        List<Event> published = new ArrayList<>();
        for (int i = 1; i <= 10; i++) {
            published.add(hub.publish(message("t", "e" + i)));
        }

        Stream stream = subscribe(hub, SubscribeRequest.topics("t").lastEventId(Long.toString(published.getFirst().id())).build());

        await().until(() -> stream.data().size() == 5);
        assertThat(stream.connection().resumeStatus()).isEqualTo(ResumeStatus.EXPIRED);
        List<Received> resets = stream.sink().events("herald-reset");
        assertThat(resets).singleElement().satisfies(reset -> {
            assertThat(reset.data()).contains("\"reason\":\"expired\"")
                    .contains("\"lastEventId\":\"" + published.getFirst().id() + "\"");
            assertThat(reset.lastEventId()).isEqualTo(stream.connection().resumePoint());
        });
        assertThat(stream.sink().events().getFirst().type()).isEqualTo("herald-reset");
        assertThat(stream.data()).containsExactly("e6", "e7", "e8", "e9", "e10");
    }

    @Test
    void aResetIsSentAtOnceEvenWhenNoEventFollowsIt() {
        Hub hub = hub(Hub.builder().heartbeat(HeartbeatPolicy.disabled())
                .eventLog(EventLog.inMemory(RetentionPolicy.of(5, Duration.ofHours(1)))));
        Event seen = hub.publish(message("mine", "seen"));
        Connection connection = hub.open(SubscribeRequest.topics("mine").lastEventId(Long.toString(seen.id())).build());
        // Before the stream starts, retention drops everything after the client's id.
        for (int i = 0; i < 10; i++) {
            hub.publish(message("others", "o" + i));
        }
        RecordingSink sink = new RecordingSink();

        connection.start(sink);

        await().until(() -> sink.events("herald-reset").size() == 1);
        assertThat(sink.events("message")).isEmpty();
    }

    @Test
    void tellsAClientWhoseIdThisHubNeverIssued() {
        Hub hub = hub();
        Event last = hub.publish(message("t", "only"));

        Stream stream = subscribe(hub, SubscribeRequest.topics("t").lastEventId(Long.toString(last.id() + 1000)).build());

        await().until(() -> stream.data().size() == 1);
        assertThat(stream.connection().resumeStatus()).isEqualTo(ResumeStatus.UNKNOWN);
        assertThat(stream.sink().events("herald-reset")).singleElement()
                .satisfies(reset -> assertThat(reset.data()).contains("\"reason\":\"unknown\""));
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "12abc", "-5", "1~", "~1", "5~3", "5~5", "99999999999999999999", "1 2", "０１"})
    void refusesLastEventIdsItNeverIssues(String garbage) {
        Hub hub = hub();

        assertThatThrownBy(() -> hub.open(SubscribeRequest.topics("t").lastEventId(garbage).build()))
                .isInstanceOf(InvalidLastEventIdException.class)
                .hasMessageContaining("not an event id issued by this hub");
        assertThat(hub.stats().connections()).isZero();
    }

    @Test
    void aSlowSubscriberIsDisconnectedWithoutStallingOthers() {
        Hub hub = hub(Hub.builder().queueCapacity(64));
        Stream slow = subscribe(hub, "t");
        awaitLive(hub, 1);
        slow.sink().block();
        List<Stream> others = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            others.add(subscribe(hub, "t"));
        }
        awaitLive(hub, 101);

        // Waves smaller than the queue: the readers keep up, the blocked one falls behind.
        for (int wave = 1; wave <= 10; wave++) {
            for (int i = 0; i < 50; i++) {
                hub.publish(message("t", "e" + i));
            }
            int expected = wave * 50;
            await().until(() -> others.stream().allMatch(other -> other.data().size() == expected));
        }

        await().until(() -> !slow.connection().isOpen());
        for (Stream other : others) {
            assertThat(other.connection().isOpen()).isTrue();
            assertThat(other.sink().maxConcurrentCalls()).isEqualTo(1);
        }
        assertThat(hub.stats().slowDisconnects()).isEqualTo(1);
        assertThat(hub.stats().connections()).isEqualTo(100);
        slow.sink().unblock();
        await().until(slow.sink()::isClosed);
    }

    @Test
    void highPriorityEventsOvertakeWaitingOnesAndResumeStaysExact() {
        Hub hub = hub();
        Stream stream = subscribe(hub, "t");
        awaitLive(hub, 1);
        stream.sink().block();
        Event n0 = hub.publish(message("t", "n0"));
        await().until(() -> stream.sink().blockedCalls() == 1); // the writer is stuck flushing n0
        Event n1 = hub.publish(message("t", "n1"));
        Event n2 = hub.publish(message("t", "n2"));
        Event h1 = hub.publish(Publication.to("t").data("h1").priority(Priority.HIGH).build());
        Event n3 = hub.publish(Publication.to("t").data("l3").priority(Priority.LOW).build());
        await().until(() -> hub.connections().getFirst().queued() == 4);

        stream.sink().unblock();

        await().until(() -> stream.data().size() == 5);
        assertThat(stream.data()).containsExactly("n0", "h1", "n1", "n2", "l3");
        List<String> cursors = stream.sink().events("message").stream().map(Received::lastEventId).toList();
        assertThat(cursors.get(0)).isEqualTo(Long.toString(n0.id()));
        assertThat(cursors.get(1)).isEqualTo(n0.id() + "~" + h1.id());
        assertThat(cursors.getLast()).isEqualTo(Long.toString(n3.id()));

        // A client that dropped right after the overtaking event resumes with its cursor: it gets
        // the events it had not seen, and not the one it had.
        Stream resumed = subscribe(hub, SubscribeRequest.topics("t").lastEventId(cursors.get(1)).build());
        await().until(() -> resumed.data().size() == 3);
        assertThat(resumed.data()).containsExactly("n1", "n2", "l3");
        assertThat(n1.id()).isLessThan(n2.id());
    }

    @Test
    void manyUrgentEventsOvertakingAtOnceStillLeaveResumableCursors() {
        Hub hub = hub();
        Stream stream = subscribe(hub, "t");
        awaitLive(hub, 1);
        stream.sink().block();
        hub.publish(message("t", "n0"));
        await().until(() -> stream.sink().blockedCalls() == 1);
        hub.publish(message("t", "n1"));
        hub.publish(Publication.to("t").data("low").priority(Priority.LOW).build());
        for (int i = 0; i < 40; i++) {
            hub.publish(Publication.to("t").data("h" + i).priority(Priority.HIGH).build());
        }
        await().until(() -> hub.connections().getFirst().queued() == 42);

        stream.sink().unblock();

        await().until(() -> stream.data().size() == 43);
        List<Received> received = stream.sink().events("message");
        assertThat(received).extracting(Received::lastEventId)
                .allSatisfy(cursor -> assertThat(cursor.split("~")).hasSizeLessThanOrEqualTo(17));
        assertThat(received.get(1).data()).isEqualTo("h0");
        for (int cut = 1; cut < received.size(); cut += 7) {
            List<String> seen = received.subList(0, cut + 1).stream().map(Received::data).toList();
            Stream resumed = subscribe(hub, SubscribeRequest.topics("t").lastEventId(received.get(cut).lastEventId()).build());
            await().until(() -> resumed.data().size() == 43 - seen.size());
            assertThat(resumed.data()).doesNotContainAnyElementsOf(seen);
            assertThat(new java.util.HashSet<>(resumed.data())).hasSize(43 - seen.size());
            resumed.connection().close();
        }
    }

    @Test
    void aLiveConnectionWritesOnItsTransportsOwnThread() throws Exception {
        Hub hub = hub();
        try (ExecutorService loop = Executors.newSingleThreadExecutor(r -> new Thread(r, "event-loop"))) {
            Connection connection = hub.open(SubscribeRequest.topics("t").build());
            RecordingSink sink = new RecordingSink().onExecutor(loop);
            connection.start(sink);
            awaitLive(hub, 1);

            for (int i = 0; i < 20; i++) {
                hub.publish(message("t", "e" + i));
            }

            await().until(() -> sink.events().size() == 20);
            assertThat(sink.flushThreads()).contains("event-loop");
            assertThat(sink.flushThreads()).allMatch(name -> name.equals("event-loop") || name.startsWith("herald-writer-"));
            assertThat(sink.maxConcurrentCalls()).isEqualTo(1);
            connection.close();
            await().until(sink::isClosed);
        }
    }

    @Test
    void aTransportThatStopsTakingBytesHoldsFramesUntilItIsWritableAgain() {
        Hub hub = hub();
        Stream stream = subscribe(hub, "t");
        awaitLive(hub, 1);
        stream.sink().writable(false);

        for (int i = 0; i < 5; i++) {
            hub.publish(message("t", "e" + i));
        }
        await().until(() -> hub.connections().getFirst().queued() == 5);
        assertThat(stream.data()).isEmpty();

        stream.sink().writable(true);
        stream.connection().writable();

        await().until(() -> stream.data().size() == 5);
    }

    @Test
    void aTransportThatNeverTakesBytesAgainOverflowsOrIsGivenUpWithoutBlockingAnyone() {
        Hub hub = hub(Hub.builder().queueCapacity(16).writeTimeout(Duration.ofMillis(300)));
        Stream stuck = subscribe(hub, "t");
        Stream quiet = subscribe(hub, "q");
        Stream reader = subscribe(hub, "t");
        awaitLive(hub, 3);
        stuck.sink().writable(false);
        quiet.sink().writable(false);

        // In waves the reader keeps up with; the stuck one's queue fills.
        for (int wave = 1; wave <= 8; wave++) {
            for (int i = 0; i < 5; i++) {
                hub.publish(message("t", "e" + i));
            }
            int expected = wave * 5;
            await().until(() -> reader.data().size() == expected);
        }
        hub.publish(message("q", "one"));

        await().until(() -> !stuck.connection().isOpen() && !quiet.connection().isOpen());
        assertThat(reader.connection().isOpen()).isTrue();
        assertThat(hub.stats().slowDisconnects()).isEqualTo(2);
    }

    @Test
    void connectionLimitsRefuseClearlyAndSlotsComeBackOnClose() {
        Hub hub = hub(Hub.builder().limits(ConnectionLimits.of(3, 2)));
        Stream alice1 = subscribe(hub, SubscribeRequest.topics("t").subscriber(Subscriber.user("alice")).build());
        subscribe(hub, SubscribeRequest.topics("t").subscriber(Subscriber.user("alice")).build());

        assertThatThrownBy(() -> hub.open(SubscribeRequest.topics("t").subscriber(Subscriber.user("alice")).build()))
                .isInstanceOfSatisfying(ConnectionLimitException.class, e -> {
                    assertThat(e.scope()).isEqualTo(ConnectionLimitException.Scope.USER);
                    assertThat(e.limit()).isEqualTo(2);
                    assertThat(e.retryAfter()).isPositive();
                });
        subscribe(hub, SubscribeRequest.topics("t").subscriber(Subscriber.user("bob")).build());
        assertThatThrownBy(() -> hub.open(SubscribeRequest.topics("t").build()))
                .isInstanceOfSatisfying(ConnectionLimitException.class,
                        e -> assertThat(e.scope()).isEqualTo(ConnectionLimitException.Scope.HUB));

        alice1.connection().close();
        await().until(alice1.sink()::isClosed);

        subscribe(hub, "t");
        assertThat(hub.stats().connections()).isEqualTo(3);
        assertThat(hub.stats().refused()).isEqualTo(2);
    }

    @Test
    void aNewConnectionWithTheSameClientIdReplacesTheOldOne() {
        Hub hub = hub(Hub.builder().limits(ConnectionLimits.of(10, 1)));
        Stream first = subscribe(hub, SubscribeRequest.topics("t").subscriber(Subscriber.user("alice")).clientId("tab-1").build());
        Stream otherUser = subscribe(hub, SubscribeRequest.topics("t").subscriber(Subscriber.user("bob")).clientId("tab-1").build());

        Stream second = subscribe(hub, SubscribeRequest.topics("t").subscriber(Subscriber.user("alice")).clientId("tab-1").build());

        await().until(first.sink()::isClosed);
        assertThat(first.connection().isOpen()).isFalse();
        assertThat(second.connection().isOpen()).isTrue();
        assertThat(otherUser.connection().isOpen()).isTrue();
        assertThat(hub.stats().connections()).isEqualTo(2);
    }

    @Test
    void idleConnectionsGetHeartbeatComments() {
        Hub hub = hub(Hub.builder().heartbeat(HeartbeatPolicy.every(Duration.ofMillis(100))));

        Stream stream = subscribe(hub, "t");

        await().until(() -> stream.sink().parser().comments().size() >= 2);
        assertThat(stream.sink().parser().comments()).allMatch("heartbeat"::equals);
        assertThat(stream.sink().events()).isEmpty();
    }

    @Test
    void aClientThatStopsReadingIsGivenUpAfterTheWriteTimeout() {
        Hub hub = hub(Hub.builder().writeTimeout(Duration.ofMillis(200)).heartbeat(HeartbeatPolicy.every(Duration.ofMillis(50))));
        Stream stream = subscribe(hub, "t");
        await().until(() -> stream.sink().flushes() >= 1);
        stream.sink().block();

        await().until(() -> !stream.connection().isOpen());

        assertThat(hub.stats().connections()).isZero();
        assertThat(hub.stats().slowDisconnects()).isEqualTo(1);
        stream.sink().unblock();
        await().until(stream.sink()::isClosed);
    }

    @Test
    void streamsEndAtTheirMaximumLifetime() {
        Hub hub = hub(Hub.builder().maxStreamLifetime(Duration.ofMillis(200)));

        Stream stream = subscribe(hub, "t");

        await().until(stream.sink()::isClosed);
        assertThat(stream.connection().isOpen()).isFalse();
        assertThat(hub.stats().connections()).isZero();
    }

    @Test
    void aClientThatGoesAwayIsReleasedAtOnce() {
        Hub hub = hub();
        Stream stream = subscribe(hub, "t");
        awaitLive(hub, 1);

        stream.sink().fail();
        stream.connection().disconnected();

        assertThat(hub.stats().connections()).isZero();
        await().until(stream.sink()::isClosed);
        hub.publish(message("t", "after"));
        assertThat(stream.connection().send(SseMessage.of("x", "y"))).isFalse();
    }

    @Test
    void aFailedWriteClosesTheConnection() {
        Hub hub = hub();
        Stream stream = subscribe(hub, "t");
        awaitLive(hub, 1);
        stream.sink().fail();

        hub.publish(message("t", "boom"));

        await().until(stream.sink()::isClosed);
        assertThat(hub.stats().connections()).isZero();
    }

    @Test
    void messagesToOneConnectionCarryNoIdAndDoNotMoveTheCursor() {
        Hub hub = hub();
        Stream stream = subscribe(hub, "t");
        awaitLive(hub, 1);

        stream.connection().send(SseMessage.of("greeting", "hello"));
        Event event = hub.publish(message("t", "stored"));
        await().until(() -> stream.data().contains("stored"));
        stream.connection().send(SseMessage.of("greeting", "bye"));

        await().until(() -> stream.sink().events().size() == 3);
        List<Received> received = stream.sink().events();
        assertThat(received).extracting(Received::data).containsExactly("hello", "stored", "bye");
        // Before any event, the stream's start position (sent as an id with no data), not a message's.
        assertThat(Long.parseLong(received.get(0).lastEventId())).isLessThan(event.id());
        assertThat(received.get(2).lastEventId()).isEqualTo(Long.toString(event.id()));
        assertThat(stream.sink().text()).doesNotContain("id: \n");
    }

    @Test
    void aLiveStreamStartsWithItsPositionSoAReconnectBeforeItsFirstEventMissesNothing() {
        Hub hub = hub();
        hub.publish(message("other", "before"));
        Stream first = subscribe(hub, "t");
        await().until(() -> first.sink().parser().lastEventId() != null && !first.sink().parser().lastEventId().isEmpty());
        String position = first.sink().parser().lastEventId();
        assertThat(first.sink().events()).isEmpty(); // an id alone fires no event
        first.connection().close();

        Event whileAway = hub.publish(message("t", "while away"));
        Stream again = subscribe(hub, SubscribeRequest.topics("t").lastEventId(position).build());

        await().until(() -> again.data().contains("while away"));
        assertThat(again.connection().resumeStatus()).isEqualTo(ResumeStatus.RESUMED);
        assertThat(again.data()).containsExactly("while away");
        assertThat(again.ids()).containsExactly(whileAway.id());
    }

    @Test
    void refusesOversizeDataAndStoresNothing() {
        Hub hub = hub(Hub.builder().maxDataBytes(10));

        assertThatThrownBy(() -> hub.publish(message("t", "한국어한"))) // 12 bytes in UTF-8
                .isInstanceOfSatisfying(EventTooLargeException.class, e -> {
                    assertThat(e.size()).isEqualTo(12);
                    assertThat(e.limit()).isEqualTo(10);
                });
        hub.publish(message("t", "0123456789"));

        assertThat(hub.eventLog().readAfter(0, 10).events()).extracting(Event::data).containsExactly("0123456789");
    }

    @Test
    void closingTheHubEndsEveryStreamAfterWritingWhatIsQueued() {
        Hub hub = hub();
        List<Stream> streams = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            streams.add(subscribe(hub, "t"));
        }
        awaitLive(hub, 3);
        hub.publish(message("t", "last words"));

        await().until(() -> streams.stream().allMatch(s -> s.data().size() == 1));
        hub.close();

        for (Stream stream : streams) {
            assertThat(stream.sink().isClosed()).isTrue();
            assertThat(stream.data()).containsExactly("last words");
        }
        assertThatThrownBy(() -> hub.publish(message("t", "late"))).isInstanceOf(HubClosedException.class);
        assertThatThrownBy(() -> hub.open(SubscribeRequest.topics("t").build())).isInstanceOf(HubClosedException.class);
        await().until(() -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().equals("herald-dispatcher") || t.getName().equals("herald-timer")));
    }

    @Test
    void aConnectionClosedBeforeItStartsEndsTheResponseAtOnce() {
        Hub hub = hub();
        Connection connection = hub.open(SubscribeRequest.topics("t").build());
        connection.close();
        RecordingSink sink = new RecordingSink();

        connection.start(sink);

        assertThat(sink.isClosed()).isTrue();
        assertThat(hub.stats().connections()).isZero();
    }

    @Test
    void manyThreadsSendingAndPublishingNeverMakeTwoWritersAtOnce() throws Exception {
        Hub hub = hub();
        Stream stream = subscribe(hub, "t");
        awaitLive(hub, 1);
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < 200; i++) {
                        if (thread % 2 == 0) {
                            hub.publish(message("t", "p" + i));
                        } else {
                            stream.connection().send(SseMessage.of("direct", "d" + i));
                        }
                    }
                }));
            }
            for (Future<?> future : futures) {
                future.get();
            }
        }

        await().until(() -> stream.sink().events().size() == 800);
        assertThat(stream.sink().maxConcurrentCalls()).isEqualTo(1);
    }

    /** The ids of the events after {@code start} up to {@code last}, in the hub's log. */
    private static List<Long> hubIds(Hub hub, long start, long last) {
        List<Long> ids = new ArrayList<>();
        long cursor = start;
        while (cursor < last) {
            List<Event> page = hub.eventLog().readAfter(cursor, 1000).events();
            for (Event event : page) {
                if (event.id() <= last) {
                    ids.add(event.id());
                }
            }
            cursor = page.getLast().id();
        }
        return ids;
    }

    /**
     * Waits until the hub holds this many connections and each has caught up and registered for
     * live events. Events published after {@link Hub#open} are delivered either way (by replay or
     * live); tests that need events to pass through a connection's queue wait for this.
     */
    /** In-memory cursors that also tell the highest position recorded. */
    private static final class WatchedCursors implements DeliveryCursors {
        final DeliveryCursors inner = DeliveryCursors.inMemory();
        final java.util.concurrent.atomic.AtomicLong highest = new java.util.concurrent.atomic.AtomicLong();

        @Override
        public void delivered(String key, long position) {
            inner.delivered(key, position);
            highest.accumulateAndGet(position, Math::max);
        }

        @Override
        public java.util.OptionalLong lastDelivered(String key) {
            return inner.lastDelivered(key);
        }

        @Override
        public void close() {
        }
    }

    @Test
    void aNewDeviceOfTheSameUserStartsAfterWhatTheUserWasDelivered() {
        WatchedCursors cursors = new WatchedCursors();
        Hub hub = hub(Hub.builder().deliveryCursors(cursors));
        SubscribeRequest.Builder alice = SubscribeRequest.topics("inbox").subscriber(Subscriber.user("alice")).sinceLastDelivered(true);
        Stream laptop = subscribe(hub, alice.build());
        awaitLive(hub, 1);
        hub.publish(message("inbox", "seen on the laptop 1"));
        Event last = hub.publish(message("inbox", "seen on the laptop 2"));
        await().until(() -> laptop.data().size() == 2 && cursors.highest.get() == last.id());
        laptop.connection().close();
        await().until(() -> hub.connections().isEmpty());

        hub.publish(message("inbox", "while away 1"));
        hub.publish(message("inbox", "while away 2"));
        Stream phone = subscribe(hub, alice.build());
        await().until(() -> phone.data().size() == 2);
        hub.publish(message("inbox", "live"));

        await().until(() -> phone.data().size() == 3);
        assertThat(phone.data()).containsExactly("while away 1", "while away 2", "live");
    }

    @Test
    void aStreamThatStartedLiveDoesNotMoveTheUsersCursor() {
        WatchedCursors cursors = new WatchedCursors();
        Hub hub = hub(Hub.builder().deliveryCursors(cursors));
        SubscribeRequest.Builder erin = SubscribeRequest.topics("inbox").subscriber(Subscriber.user("erin"));
        Stream first = subscribe(hub, erin.sinceLastDelivered(true).build());
        awaitLive(hub, 1);
        Event seen = hub.publish(message("inbox", "seen"));
        await().until(() -> first.data().size() == 1 && cursors.highest.get() == seen.id());
        first.connection().close();
        await().until(() -> hub.connections().isEmpty());
        hub.publish(message("inbox", "missed"));

        // Live only: it never sees "missed", so what it receives must not move the cursor past it.
        Stream live = subscribe(hub, erin.sinceLastDelivered(false).build());
        awaitLive(hub, 1);
        hub.publish(message("inbox", "after"));
        await().until(() -> live.data().size() == 1);
        Stream resumed = subscribe(hub, erin.sinceLastDelivered(true).build());

        await().until(() -> resumed.data().size() == 2);
        assertThat(resumed.data()).containsExactly("missed", "after");
    }

    @Test
    void aUsersStreamsOnOtherTopicsKeepTheirOwnCursor() {
        WatchedCursors cursors = new WatchedCursors();
        Hub hub = hub(Hub.builder().deliveryCursors(cursors));
        Stream news = subscribe(hub, SubscribeRequest.topics("news").subscriber(Subscriber.user("fay")).sinceLastDelivered(true).build());
        awaitLive(hub, 1);
        hub.publish(message("alerts", "alert while news is read"));
        Event headline = hub.publish(message("news", "headline"));
        await().until(() -> news.data().size() == 1 && cursors.highest.get() == headline.id());

        // Another set of topics: the news stream's position says nothing of what it delivered here.
        Stream alerts = subscribe(hub, SubscribeRequest.topics("alerts").subscriber(Subscriber.user("fay")).sinceLastDelivered(true).build());
        awaitLive(hub, 2);
        hub.publish(message("alerts", "later alert"));

        await().until(() -> alerts.data().size() == 1);
        assertThat(alerts.data()).containsExactly("later alert");
    }

    @Test
    void aLastEventIdTakesPrecedenceOverTheUsersCursor() {
        Hub hub = hub();
        SubscribeRequest.Builder bob = SubscribeRequest.topics("inbox").subscriber(Subscriber.user("bob"));
        Stream first = subscribe(hub, bob.build());
        awaitLive(hub, 1);
        Event one = hub.publish(message("inbox", "one"));
        hub.publish(message("inbox", "two"));
        await().until(() -> first.data().size() == 2);

        Stream reconnected = subscribe(hub, bob.sinceLastDelivered(true).lastEventId(Long.toString(one.id())).build());

        await().until(() -> reconnected.data().size() == 1);
        assertThat(reconnected.data()).containsExactly("two");
    }

    @Test
    void aUserWithNothingDeliveredYetStartsLive() {
        Hub hub = hub();
        hub.publish(message("inbox", "before"));
        Stream stream = subscribe(hub, SubscribeRequest.topics("inbox").subscriber(Subscriber.user("carol")).sinceLastDelivered(true).build());
        awaitLive(hub, 1);
        hub.publish(message("inbox", "after"));

        await().until(() -> stream.data().size() == 1);
        assertThat(stream.data()).containsExactly("after");
    }

    @Test
    void resumingFromTheUsersCursorNeedsAUser() {
        assertThatThrownBy(() -> SubscribeRequest.topics("inbox").sinceLastDelivered(true).build())
                .isInstanceOf(InvalidSubscriptionException.class);
    }

    @Test
    void aStreamEndsWhenItsSubscribersCredentialsExpire() {
        dev.herald.core.testing.MutableClock clock = new dev.herald.core.testing.MutableClock(java.time.Instant.parse("2026-01-01T00:00:00Z"));
        Hub hub = hub(Hub.builder().clock(clock));
        Subscriber expiring = new Subscriber("alice", List.of(), clock.instant().plusSeconds(60));
        Stream stream = subscribe(hub, SubscribeRequest.topics("t").subscriber(expiring).build());
        Stream lasting = subscribe(hub, SubscribeRequest.topics("t").subscriber(Subscriber.user("bob")).build());
        awaitLive(hub, 2);
        hub.publish(message("t", "before"));
        await().until(() -> stream.data().size() == 1);

        clock.advance(Duration.ofSeconds(61));

        await().until(stream.sink()::isClosed);
        assertThat(stream.sink().isAborted()).isFalse();
        assertThat(stream.data()).containsExactly("before");
        assertThat(lasting.connection().isOpen()).isTrue();
    }

    @Test
    void endingAUsersStreamsClosesAllOfThemAndNoOneElses() {
        Hub hub = hub();
        Stream first = subscribe(hub, SubscribeRequest.topics("a").subscriber(Subscriber.user("alice")).build());
        Stream second = subscribe(hub, SubscribeRequest.topics("b", "*").subscriber(Subscriber.user("alice")).build());
        Stream other = subscribe(hub, SubscribeRequest.topics("*").subscriber(Subscriber.user("bob")).build());
        awaitLive(hub, 3);

        hub.endStreamsOf("alice").join();

        await().until(() -> first.sink().isClosed() && second.sink().isClosed());
        hub.publish(message("a", "after"));
        await().until(() -> other.data().contains("after"));
        assertThat(other.connection().isOpen()).isTrue();
        assertThat(other.sink().events()).extracting(Received::type).doesNotContain("end-user-streams");
    }

    @Test
    void controlEventsAreNeitherDeliveredNorReplayed() {
        Hub hub = hub();
        Stream everything = subscribe(hub, SubscribeRequest.topics("*")
                .subscriber(new Subscriber("root", List.of(TopicSelector.parse("*")))).build());
        awaitLive(hub, 1);
        hub.publish(message("t", "one"));
        hub.endStreamsOf("nobody").join();
        hub.publish(message("t", "two"));
        await().until(() -> everything.data().size() == 2);

        Stream replaying = subscribe(hub, SubscribeRequest.topics("*")
                .subscriber(new Subscriber("root", List.of(TopicSelector.parse("*"))))
                .lastEventId(Long.toString(everything.ids().getFirst() - 1)).build());

        await().until(() -> replaying.data().size() == 2);
        assertThat(everything.sink().events()).extracting(Received::data).containsExactly("one", "two");
        assertThat(replaying.sink().events()).extracting(Received::data).containsExactly("one", "two");
    }

    @Test
    void aConnectionTooManyBytesBehindIsDroppedAndItsResponseAborted() {
        Hub hub = hub(Hub.builder().queueCapacity(10_000).queueCapacityBytes(64 * 1024));
        Stream slow = subscribe(hub, "t");
        Stream reader = subscribe(hub, "t");
        awaitLive(hub, 2);
        slow.sink().block();
        hub.publish(message("t", "first")); // the writer blocks on it
        await().until(() -> slow.sink().blockedCalls() == 1);

        String kilobyte = "x".repeat(1024);
        // In waves the reader keeps up with, so only the blocked connection falls behind.
        for (int i = 1; i <= 100; i++) {
            hub.publish(message("t", kilobyte));
            if (i % 8 == 0) {
                int expected = i + 1;
                await().until(() -> reader.data().size() == expected);
            }
        }

        await().until(() -> !slow.connection().isOpen());
        assertThat(hub.stats().slowDisconnects()).isEqualTo(1);
        await().until(() -> reader.data().size() == 101);
        slow.sink().unblock();
        await().until(slow.sink()::isClosed);
        assertThat(slow.sink().isAborted()).isTrue();
    }

    @Test
    void refusesMoreTopicsThanTheHubAllows() {
        Hub hub = hub(Hub.builder().maxTopicsPerSubscription(3));

        assertThatThrownBy(() -> hub.open(SubscribeRequest.topics("a", "b", "c", "d").build()))
                .isInstanceOf(InvalidSubscriptionException.class)
                .hasMessageContaining("at most 3");
        assertThat(hub.stats().connections()).isZero();
    }

    @Test
    void refusesTextThatIsNotValidUnicode() {
        assertThatThrownBy(() -> Publication.to("t").data("half \uD800 a pair").build())
                .isInstanceOf(InvalidEventException.class).hasMessageContaining("unpaired surrogate");
        assertThatThrownBy(() -> Publication.to("t").type("x\uDC00").build())
                .isInstanceOf(InvalidEventException.class);
        assertThat(Publication.to("t").data("a pair \uD83D\uDE00").build().data()).endsWith("\uD83D\uDE00");
    }

    @Test
    void aGrantCoversTheSelectorsItCanVouchFor() {
        TopicSelector any = TopicSelector.parse("*");
        TopicSelector template = TopicSelector.parse("users/alice/{+path}");
        assertThat(any.covers(TopicSelector.parse("users/bob/{id}"))).isTrue();
        assertThat(template.covers(TopicSelector.parse("users/alice/inbox"))).isTrue();
        assertThat(template.covers(TopicSelector.parse("users/alice/{+path}"))).isTrue();
        assertThat(template.covers(TopicSelector.parse("users/bob/inbox"))).isFalse();
        assertThat(template.covers(TopicSelector.parse("users/alice/{id}"))).isFalse(); // cannot tell, so no
        assertThat(template.covers(any)).isFalse();
        assertThat(TopicSelector.parse("news").covers(TopicSelector.parse("news"))).isTrue();
    }

    private static void awaitLive(Hub hub, int connections) {
        await().until(() -> hub.connections().size() == connections
                && hub.connections().stream().allMatch(c -> c.state() == ConnectionInfo.State.LIVE));
    }
}
