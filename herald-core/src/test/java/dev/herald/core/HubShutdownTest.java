package dev.herald.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.herald.core.testing.RecordingSink;
import dev.herald.core.testing.SseParser.Received;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Closing a hub as a rolling restart does: new streams are refused, every open stream is told when
 * to come back ({@code retry:}, spread so that a node's clients do not all return in the same
 * second), its queue is written, and it ends; a stream that cannot be drained in time is aborted on
 * its own, and the close keeps to its deadline.
 */
class HubShutdownTest {

    /** The delay sent on connect: far above any spread here, so the shutdown's one is told apart. */
    private static final long CONNECT_RETRY = 60_000;
    private static final Pattern RETRY = Pattern.compile("(?m)^retry: (\\d+)$");

    private final List<Hub> hubs = new ArrayList<>();

    @AfterEach
    void closeHubs() {
        hubs.forEach(Hub::close);
    }

    private Hub hub(Duration spread, Duration shutdownTimeout) {
        Hub hub = Hub.builder()
                .retry(Duration.ofMillis(CONNECT_RETRY))
                .shutdownRetrySpread(spread)
                .shutdownTimeout(shutdownTimeout)
                .build();
        hubs.add(hub);
        return hub;
    }

    private record Stream(Connection connection, RecordingSink sink) {
        List<String> data() {
            return sink.events("message").stream().map(Received::data).toList();
        }

        /** Every {@code retry:} value the client was sent, in order. */
        List<Long> retries() {
            Matcher matcher = RETRY.matcher(sink.text());
            List<Long> values = new ArrayList<>();
            while (matcher.find()) {
                values.add(Long.parseLong(matcher.group(1)));
            }
            return values;
        }

        /** The delay sent as the hub shut down: the one after the connect's. */
        long shutdownRetry() {
            List<Long> retries = retries();
            assertThat(retries).as("the connect's delay, then the shutdown's").hasSize(2).first().isEqualTo(CONNECT_RETRY);
            return retries.getLast();
        }
    }

    private static Stream subscribe(Hub hub, String topic) {
        Connection connection = hub.open(SubscribeRequest.topics(topic).build());
        RecordingSink sink = new RecordingSink();
        connection.start(sink);
        return new Stream(connection, sink);
    }

    private static List<Stream> subscribe(Hub hub, String topic, int count) {
        List<Stream> streams = IntStream.range(0, count).mapToObj(i -> subscribe(hub, topic)).toList();
        await().until(() -> hub.connections().size() == count
                && hub.connections().stream().allMatch(c -> c.state() == ConnectionInfo.State.LIVE));
        return streams;
    }

    private static Publication message(String topic, String data) {
        return Publication.to(topic).data(data).build();
    }

    /** Closes the hub on another thread; the future completes with how long the close took, in ms. */
    private static CompletableFuture<Long> closeInBackground(Hub hub) {
        CompletableFuture<Long> took = new CompletableFuture<>();
        Thread.ofPlatform().name("test-closer").start(() -> {
            long started = System.nanoTime();
            hub.close();
            took.complete((System.nanoTime() - started) / 1_000_000);
        });
        return took;
    }

    @Test
    void everyOpenStreamIsToldToComeBackAfterADelayWithinTheSpreadBeforeItEnds() {
        Duration spread = Duration.ofSeconds(5);
        Hub hub = hub(spread, Duration.ofSeconds(5));
        List<Stream> streams = subscribe(hub, "t", 50);

        hub.close();

        List<Long> delays = new ArrayList<>();
        for (Stream stream : streams) {
            assertThat(stream.sink().isClosed()).as("ended").isTrue();
            assertThat(stream.sink().isAborted()).as("ended gracefully").isFalse();
            long delay = stream.shutdownRetry();
            assertThat(delay).isBetween(0L, spread.toMillis());
            assertThat(stream.sink().parser().retry()).as("what EventSource waits before reconnecting").isEqualTo(delay);
            delays.add(delay);
        }
        // Uniform over 0..5000 ms: 50 streams all on one side of the middle would happen once in 10^15 runs.
        assertThat(delays.stream().distinct().count()).as("spread, not one value: %s", delays).isGreaterThan(25);
        assertThat(delays.stream().mapToLong(Long::longValue).min().orElseThrow()).isLessThan(2500);
        assertThat(delays.stream().mapToLong(Long::longValue).max().orElseThrow()).isGreaterThan(2500);
    }

    @Test
    void aClosingHubRefusesNewStreamsAndPublications() {
        Hub hub = hub(Duration.ofSeconds(5), Duration.ofSeconds(5));
        subscribe(hub, "t", 1);

        hub.close();

        assertThatThrownBy(() -> hub.open(SubscribeRequest.topics("t").build())).isInstanceOf(HubClosedException.class);
        assertThatThrownBy(() -> hub.publish(message("t", "late"))).isInstanceOf(HubClosedException.class);
        assertThat(hub.stats().connections()).isZero();
    }

    @Test
    void queuedEventsAreWrittenBeforeTheStreamEnds() throws Exception {
        Hub hub = hub(Duration.ofSeconds(5), Duration.ofSeconds(10));
        Stream stream = subscribe(hub, "t", 1).getFirst();
        Stream other = subscribe(hub, "u");
        hub.publish(message("t", "first"));
        await().until(() -> stream.data().size() == 1);
        // The client stops reading: its writer blocks in the next flush, and the rest waits in its queue.
        stream.sink().block();
        hub.publish(message("t", "0"));
        await().until(() -> stream.sink().blockedCalls() == 1);
        for (int i = 1; i < 200; i++) {
            hub.publish(message("t", Integer.toString(i)));
        }
        await().until(() -> hub.connections().stream().anyMatch(c -> c.queued() == 199));

        CompletableFuture<Long> closing = closeInBackground(hub);
        await().until(() -> other.sink().isClosed());
        assertThat(closing).as("waits for the queued events").isNotDone();
        stream.sink().unblock();
        long took = closing.get(10, TimeUnit.SECONDS);

        List<String> expected = new ArrayList<>(List.of("first"));
        IntStream.range(0, 200).mapToObj(Integer::toString).forEach(expected::add);
        assertThat(stream.data()).as("every queued event, in order").containsExactlyElementsOf(expected);
        assertThat(stream.sink().isClosed()).isTrue();
        assertThat(stream.sink().isAborted()).isFalse();
        assertThat(stream.shutdownRetry()).isBetween(0L, 5000L);
        assertThat(took).isLessThan(10_000);
    }

    @Test
    void aStreamBlockedBeyondTheDeadlineIsAbortedWithoutHoldingUpTheOthersAndTheCloseKeepsToItsDeadline() throws Exception {
        Duration deadline = Duration.ofSeconds(2);
        Hub hub = hub(Duration.ofSeconds(5), deadline);
        List<Stream> streams = subscribe(hub, "t", 6);
        Stream stuck = streams.getFirst();
        List<Stream> others = streams.subList(1, streams.size());
        hub.publish(message("t", "before"));
        await().until(() -> streams.stream().allMatch(s -> s.data().size() == 1));
        stuck.sink().block();
        for (int i = 0; i < 100; i++) {
            hub.publish(message("t", Integer.toString(i)));
        }
        await().until(() -> stuck.sink().blockedCalls() == 1 && others.stream().allMatch(s -> s.data().size() == 101));

        long started = System.nanoTime();
        CompletableFuture<Long> closing = closeInBackground(hub);
        await().atMost(Duration.ofSeconds(1)).until(() -> others.stream().allMatch(s -> s.sink().isClosed()));
        long othersEndedMs = (System.nanoTime() - started) / 1_000_000;
        assertThat(closing).as("still waiting for the stuck stream when the others have ended").isNotDone();
        long took = closing.get(10, TimeUnit.SECONDS);

        for (Stream stream : others) {
            assertThat(stream.sink().isAborted()).isFalse();
            assertThat(stream.data()).hasSize(101);
            assertThat(stream.shutdownRetry()).isBetween(0L, 5000L);
        }
        assertThat(took).as("the close waits for the deadline, and no longer")
                .isBetween(deadline.toMillis() - 50, deadline.toMillis() + 500);
        await().atMost(Duration.ofSeconds(2)).until(() -> stuck.sink().isAborted());
        assertThat(stuck.data()).as("nothing more once given up").hasSizeLessThan(101);
        System.out.printf("close with a stuck stream: the other 5 ended after %d ms, the close took %d ms (deadline %d ms)%n",
                othersEndedMs, took, deadline.toMillis());
    }

    @Test
    void aZeroSpreadSendsNoDelayAndClientsComeBackAfterTheUsualOne() {
        Hub hub = hub(Duration.ZERO, Duration.ofSeconds(5));
        Stream stream = subscribe(hub, "t", 1).getFirst();

        hub.close();

        assertThat(stream.sink().isClosed()).isTrue();
        assertThat(stream.retries()).containsExactly(CONNECT_RETRY);
    }

    @Test
    void aStreamOpenedButNotStartedWhenTheHubClosesEndsAtOnceWhenStarted() {
        Hub hub = hub(Duration.ofSeconds(5), Duration.ofSeconds(5));
        Connection connection = hub.open(SubscribeRequest.topics("t").build());

        long started = System.nanoTime();
        hub.close();
        RecordingSink sink = new RecordingSink();
        connection.start(sink);

        assertThat((System.nanoTime() - started) / 1_000_000).as("the close did not wait for it").isLessThan(2000);
        assertThat(sink.isClosed()).isTrue();
    }

    @Test
    void theSpreadMustNotBeNegative() {
        assertThatThrownBy(() -> Hub.builder().shutdownRetrySpread(Duration.ofMillis(-1)).build())
                .isInstanceOf(IllegalArgumentException.class);
    }
}
