package dev.herald.core.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.core.Event;
import dev.herald.core.EventLog;
import dev.herald.core.LogPage;
import dev.herald.core.Priority;
import dev.herald.core.Publication;
import dev.herald.core.RetentionPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link EventLog} must do. Each implementation's test extends this class and says how
 * to make a fresh, empty log.
 */
public abstract class EventLogContract {

    private final List<EventLog> created = new ArrayList<>();

    /** A fresh, empty log with this retention, stamping events with the clock's time. */
    protected abstract EventLog createLog(RetentionPolicy retention, MutableClock clock);

    protected final EventLog newLog(RetentionPolicy retention, MutableClock clock) {
        EventLog log = createLog(retention, clock);
        created.add(log);
        return log;
    }

    protected final EventLog newLog() {
        return newLog(RetentionPolicy.of(1000, Duration.ofHours(1)), MutableClock.startingNow());
    }

    @AfterEach
    void closeLogs() {
        created.forEach(EventLog::close);
    }

    private static Publication publication(String data) {
        return Publication.to("t").data(data).build();
    }

    @Test
    void givesStrictlyIncreasingIdsInAppendOrder() {
        EventLog log = newLog();
        long previous = log.readAfter(Long.MAX_VALUE, 0).lastId();
        for (int i = 0; i < 20; i++) {
            Event event = log.append(publication("e" + i));
            assertThat(event.id()).isGreaterThan(previous);
            previous = event.id();
        }
    }

    @Test
    void asynchronousAppendsAreStoredInTheOrderTheyWereMade() throws Exception {
        EventLog log = newLog();
        List<java.util.concurrent.CompletableFuture<Event>> futures = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            futures.add(log.appendAsync(publication("async" + i)));
        }
        List<Event> appended = new ArrayList<>();
        for (java.util.concurrent.CompletableFuture<Event> future : futures) {
            appended.add(future.get(30, java.util.concurrent.TimeUnit.SECONDS));
        }

        assertThat(appended).extracting(Event::id).isSorted().doesNotHaveDuplicates();
        assertThat(appended).extracting(Event::data).containsExactly(
                java.util.stream.IntStream.range(0, 50).mapToObj(i -> "async" + i).toArray(String[]::new));
        assertThat(log.readAfter(appended.getFirst().id() - 1, 100).events()).extracting(Event::id)
                .containsExactlyElementsOf(appended.stream().map(Event::id).toList());
    }

    @Test
    void anEmptyLogHasNothingAfterItsHorizon() {
        EventLog log = newLog();

        LogPage page = log.readAfter(0, 10);

        assertThat(page.events()).isEmpty();
        assertThat(page.lastId()).isEqualTo(page.horizon());
    }

    @Test
    void readsEventsAfterACursorOldestFirstInPages() {
        EventLog log = newLog();
        List<Event> appended = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            appended.add(log.append(publication("e" + i)));
        }

        LogPage first = log.readAfter(appended.get(2).id(), 4);
        LogPage rest = log.readAfter(first.events().getLast().id(), 100);

        assertThat(first.events()).extracting(Event::data).containsExactly("e3", "e4", "e5", "e6");
        assertThat(rest.events()).extracting(Event::data).containsExactly("e7", "e8", "e9");
        assertThat(rest.lastId()).isEqualTo(appended.getLast().id());
        assertThat(log.readAfter(appended.getLast().id(), 10).events()).isEmpty();
    }

    @Test
    void aZeroLimitReadsOnlyTheBounds() {
        EventLog log = newLog();
        Event last = null;
        for (int i = 0; i < 3; i++) {
            last = log.append(publication("e" + i));
        }

        LogPage bounds = log.readAfter(0, 0);

        assertThat(bounds.events()).isEmpty();
        assertThat(bounds.lastId()).isEqualTo(last.id());
    }

    @Test
    void keepsEveryFieldOfAnEvent() {
        EventLog log = newLog();
        Publication sent = Publication.to("orders/1", "audit")
                .type("order-updated")
                .data("line one\nline two")
                .key("publisher-key-1")
                .retry(Duration.ofMillis(1500))
                .privateEvent(true)
                .audience("alice", "bob")
                .priority(Priority.HIGH)
                .build();

        Event appended = log.append(sent);
        Event read = log.readAfter(appended.id() - 1, 1).events().getFirst();

        assertThat(read.id()).isEqualTo(appended.id());
        assertThat(read.publication()).isEqualTo(sent);
        assertThat(read.audience()).isEqualTo(Set.of("alice", "bob"));
        assertThat(read.time()).isEqualTo(appended.time());
    }

    @Test
    void dropsTheOldestEventsBeyondTheCountAndRaisesTheHorizon() {
        EventLog log = newLog(RetentionPolicy.of(5, Duration.ofHours(1)), MutableClock.startingNow());
        List<Event> appended = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            appended.add(log.append(publication("e" + i)));
        }

        LogPage page = log.readAfter(0, 100);

        assertThat(page.events()).extracting(Event::data).containsExactly("e3", "e4", "e5", "e6", "e7");
        assertThat(page.horizon()).isGreaterThanOrEqualTo(appended.get(2).id()).isLessThan(appended.get(3).id());
    }

    @Test
    void dropsEventsOlderThanTheMaximumAge() {
        MutableClock clock = MutableClock.startingNow();
        EventLog log = newLog(RetentionPolicy.of(100, Duration.ofMinutes(10)), clock);
        Event old = log.append(publication("old"));
        clock.advance(Duration.ofMinutes(6));
        log.append(publication("recent"));
        clock.advance(Duration.ofMinutes(5));

        LogPage page = log.readAfter(0, 100);

        assertThat(page.events()).extracting(Event::data).containsExactly("recent");
        assertThat(page.horizon()).isGreaterThanOrEqualTo(old.id());
    }

    @Test
    void aRepeatedKeyReturnsTheFirstEventAndStoresNothing() {
        EventLog log = newLog();
        Event first = log.append(Publication.to("t").data("one").key("k-1").build());

        Event again = log.append(Publication.to("t").data("two").key("k-1").build());

        assertThat(again.id()).isEqualTo(first.id());
        assertThat(again.data()).isEqualTo("one");
        assertThat(log.readAfter(0, 100).events()).extracting(Event::data).containsExactly("one");
    }

    @Test
    void aPublishedKeyIsFoundWithTheIdItsAppendGave() throws Exception {
        EventLog log = newLog();
        log.append(publication("before"));
        Event keyed = log.append(Publication.to("t").data("keyed").key("update-1").build());
        log.append(publication("after"));
        Event asynchronous = log.appendAsync(Publication.to("t").data("async").key("update-2").build())
                .get(30, java.util.concurrent.TimeUnit.SECONDS);

        assertThat(log.idOfKey("update-1")).hasValue(keyed.id());
        assertThat(log.idOfKey("update-2")).hasValue(asynchronous.id());
        assertThat(log.append(Publication.to("t").data("again").key("update-1").build()).id()).isEqualTo(keyed.id());
        assertThat(log.idOfKey("update-1")).hasValue(keyed.id());
    }

    @Test
    void anUnknownKeyIsNotFound() {
        EventLog log = newLog();
        assertThat(log.idOfKey("never-published")).isEmpty();

        log.append(Publication.to("t").data("keyed").key("known").build());
        log.append(publication("unkeyed"));

        assertThat(log.idOfKey("never-published")).isEmpty();
        assertThat(log.idOfKey("know")).isEmpty();
    }

    @Test
    void aKeyWhoseEventWasDroppedBeyondTheCountIsNotFoundUntilItIsPublishedAgain() {
        EventLog log = newLog(RetentionPolicy.of(5, Duration.ofHours(1)), MutableClock.startingNow());
        Event dropped = log.append(Publication.to("t").data("dropped").key("k-dropped").build());
        Event kept = null;
        for (int i = 0; i < 5; i++) {
            kept = log.append(Publication.to("t").data("e" + i).key("k-" + i).build());
        }

        assertThat(log.readAfter(0, 100).horizon()).isGreaterThanOrEqualTo(dropped.id());
        assertThat(log.idOfKey("k-dropped")).isEmpty();
        assertThat(log.idOfKey("k-4")).hasValue(kept.id());

        Event republished = log.append(Publication.to("t").data("republished").key("k-dropped").build());

        assertThat(republished.id()).isGreaterThan(kept.id());
        assertThat(log.idOfKey("k-dropped")).hasValue(republished.id());
    }

    @Test
    void aKeyWhoseEventGrewOlderThanTheMaximumAgeIsNotFound() {
        MutableClock clock = MutableClock.startingNow();
        EventLog log = newLog(RetentionPolicy.of(100, Duration.ofMinutes(10)), clock);
        log.append(Publication.to("t").data("old").key("k-old").build());
        clock.advance(Duration.ofMinutes(6));
        Event recent = log.append(Publication.to("t").data("recent").key("k-recent").build());
        clock.advance(Duration.ofMinutes(5));

        assertThat(log.idOfKey("k-old")).isEmpty();
        assertThat(log.idOfKey("k-recent")).hasValue(recent.id());
        assertThat(log.readAfter(0, 100).events()).extracting(Event::data).containsExactly("recent");
    }

    @Test
    void concurrentAppendsGetDistinctIdsAndAllBecomeReadable() throws Exception {
        EventLog log = newLog(RetentionPolicy.of(10_000, Duration.ofHours(1)), MutableClock.startingNow());
        long start = log.readAfter(Long.MAX_VALUE, 0).lastId();
        ConcurrentLinkedQueue<Long> ids = new ConcurrentLinkedQueue<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < 250; i++) {
                        ids.add(log.append(publication(thread + "-" + i)).id());
                    }
                }));
            }
            for (Future<?> future : futures) {
                future.get();
            }
        }

        List<Event> all = new ArrayList<>();
        long cursor = start;
        while (true) {
            LogPage page = log.readAfter(cursor, 300);
            if (page.events().isEmpty()) {
                break;
            }
            all.addAll(page.events());
            cursor = page.events().getLast().id();
        }
        assertThat(ids).doesNotHaveDuplicates().hasSize(2000);
        assertThat(all).extracting(Event::id).containsExactlyInAnyOrderElementsOf(ids).isSorted();
    }
}
