package dev.herald.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.herald.core.Event;
import dev.herald.core.EventLogException;
import dev.herald.core.LogHealth;
import dev.herald.core.LogPage;
import dev.herald.core.Priority;
import dev.herald.core.Publication;
import dev.herald.core.RetentionPolicy;
import dev.herald.core.testing.MutableClock;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.UnaryOperator;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What {@link JdbcEventLog} promises beyond the event log contract: durability across reopening,
 * group commit, keys, stored retention, outages and read ordering. Each database runs it.
 */
abstract class JdbcEventLogBehaviour {

    private final List<JdbcEventLog> logs = new ArrayList<>();
    private final List<TestDatabase> databases = new ArrayList<>();

    /** A fresh, empty database. */
    protected abstract TestDatabase createDatabase();

    /** A fresh database whose server the test may stop and start. */
    protected abstract TestDatabase createStoppableDatabase();

    protected final TestDatabase database() {
        TestDatabase database = createDatabase();
        databases.add(database);
        return database;
    }

    protected final JdbcEventLog open(TestDatabase database, UnaryOperator<JdbcEventLog.Builder> settings) {
        JdbcEventLog log = settings.apply(JdbcEventLog.builder(database.dataSource())).build();
        logs.add(log);
        return log;
    }

    protected final JdbcEventLog open(TestDatabase database) {
        return open(database, builder -> builder.retention(RetentionPolicy.of(10_000, Duration.ofHours(1))));
    }

    @AfterEach
    void closeAll() {
        logs.forEach(JdbcEventLog::close);
        databases.forEach(TestDatabase::close);
    }

    protected static Publication publication(String data) {
        return Publication.to("t").data(data).build();
    }

    protected static List<Event> readAll(JdbcEventLog log, long after) {
        List<Event> all = new ArrayList<>();
        long cursor = after;
        while (true) {
            LogPage page = log.readAfter(cursor, 500);
            all.addAll(page.events());
            if (page.events().size() < 500) {
                return all;
            }
            cursor = page.events().getLast().id();
        }
    }

    @Test
    void idsKeepIncreasingAfterTheLogIsClosedAndReopened() {
        TestDatabase database = database();
        JdbcEventLog first = open(database);
        List<Event> before = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            before.add(first.append(publication("before-" + i)));
        }
        first.close();

        JdbcEventLog second = open(database);
        long lastId = second.readAfter(Long.MAX_VALUE, 0).lastId();
        Event after = second.append(publication("after"));

        assertThat(lastId).isEqualTo(before.getLast().id());
        assertThat(after.id()).isEqualTo(before.getLast().id() + 1);
        assertThat(readAll(second, 0)).extracting(Event::data).containsExactly("before-0", "before-1", "before-2", "after");
    }

    @Test
    void anAcknowledgedAppendSurvivesReopeningWithEveryField() {
        TestDatabase database = database();
        JdbcEventLog first = open(database);
        Publication sent = Publication.to("orders/7", "audit").type("order-paid").data("{\"total\":12}\nsecond line")
                .key("order-7-paid").retry(Duration.ofSeconds(3)).privateEvent(true).audience("carol")
                .priority(Priority.LOW).build();
        Event appended = first.append(sent);
        first.close();

        JdbcEventLog second = open(database);
        List<Event> read = second.readAfter(0, 10).events();

        assertThat(read).containsExactly(appended);
        assertThat(second.append(sent)).isEqualTo(appended);
    }

    @Test
    void aKeyIsFoundAfterReopeningUntilItsEventIsNoLongerRetained() throws Exception {
        TestDatabase database = database();
        JdbcEventLog first = open(database);
        Event keyed = first.append(Publication.to("t").data("keyed").key("order-8-paid").build());
        first.close();

        UnaryOperator<JdbcEventLog.Builder> settings = builder -> builder
                .retention(RetentionPolicy.of(2, Duration.ofHours(1))).purgeInterval(Duration.ofHours(1));
        JdbcEventLog second = open(database, settings);
        assertThat(second.idOfKey("order-8-paid")).hasValue(keyed.id());

        second.append(publication("e1"));
        second.append(publication("e2"));

        // Beyond the count its row is still stored until the purge, but no longer retained.
        assertThat(database.queryLong("SELECT COUNT(*) FROM herald_events WHERE publisher_key = 'order-8-paid'")).isEqualTo(1);
        assertThat(second.idOfKey("order-8-paid")).isEmpty();
        second.purgeNow();
        assertThat(database.queryLong("SELECT COUNT(*) FROM herald_events WHERE publisher_key = 'order-8-paid'")).isZero();
        assertThat(second.idOfKey("order-8-paid")).isEmpty();
        second.close();

        assertThat(open(database, settings).idOfKey("order-8-paid")).isEmpty();
    }

    @Test
    void concurrentPublishersGetDistinctIncreasingIdsAllReadableInOrderAndShareTransactions() throws Exception {
        JdbcEventLog log = open(database());
        long start = log.readAfter(Long.MAX_VALUE, 0).lastId();
        long transactionsBefore = log.committedTransactions();
        int threads = 16;
        int perThread = 200;
        ConcurrentLinkedQueue<Long> ids = new ConcurrentLinkedQueue<>();
        CountDownLatch go = new CountDownLatch(1);
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<Future<List<Long>>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    go.await();
                    List<Long> mine = new ArrayList<>();
                    for (int i = 0; i < perThread; i++) {
                        mine.add(log.append(publication(thread + "-" + i)).id());
                    }
                    return mine;
                }));
            }
            go.countDown();
            for (Future<List<Long>> future : futures) {
                List<Long> mine = future.get(60, TimeUnit.SECONDS);
                assertThat(mine).isSorted().doesNotHaveDuplicates();
                ids.addAll(mine);
            }
        }

        List<Event> all = readAll(log, start);
        long transactions = log.committedTransactions() - transactionsBefore;
        assertThat(ids).hasSize(threads * perThread).doesNotHaveDuplicates();
        assertThat(all).extracting(Event::id).containsExactlyInAnyOrderElementsOf(ids).isSorted();
        assertThat(all.getFirst().id()).isEqualTo(start + 1);
        assertThat(all.getLast().id()).isEqualTo(start + threads * perThread);
        assertThat(transactions).as("transactions for %d appends", threads * perThread).isLessThan(threads * perThread);
    }

    @Test
    void aKeyRepeatedInsideOneBatchIsStoredOnce() throws Exception {
        JdbcEventLog log = open(database());
        long transactionsBefore = log.committedTransactions();
        List<Future<Event>> results = new ArrayList<>();
        log.holdCommits();
        try (ExecutorService pool = Executors.newFixedThreadPool(6)) {
            try {
                for (int i = 0; i < 5; i++) {
                    String data = "attempt-" + i;
                    results.add(pool.submit(() -> log.append(Publication.to("t").data(data).key("same-key").build())));
                }
                results.add(pool.submit(() -> log.append(publication("other"))));
                await().atMost(Duration.ofSeconds(10)).until(() -> log.queuedAppends() == 6);
            } finally {
                log.releaseCommits();
            }
            List<Event> events = new ArrayList<>();
            for (Future<Event> result : results) {
                events.add(result.get(10, TimeUnit.SECONDS));
            }

            List<Event> keyed = events.subList(0, 5);
            assertThat(keyed).extracting(Event::id).containsOnly(keyed.getFirst().id());
            assertThat(log.readAfter(0, 100).events()).extracting(Event::key).containsExactlyInAnyOrder("same-key", null);
            assertThat(log.committedTransactions() - transactionsBefore).isEqualTo(1);
        }
    }

    @Test
    void retentionByCountDeletesRowsAndRaisesTheStoredHorizonWhichSurvivesReopening() throws Exception {
        TestDatabase database = database();
        JdbcEventLog log = open(database, builder -> builder.retention(RetentionPolicy.of(5, Duration.ofHours(1)))
                .purgeInterval(Duration.ofHours(1)).purgeChunk(2));
        List<Event> appended = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            appended.add(log.append(publication("e" + i)));
        }

        log.purgeNow();

        long horizon = appended.get(6).id();
        assertThat(log.persistedHorizon()).isEqualTo(horizon);
        assertThat(database.queryLong("SELECT COUNT(*) FROM herald_events")).isEqualTo(5);
        assertThat(database.queryLong("SELECT horizon FROM herald_log_state")).isEqualTo(horizon);
        log.close();

        JdbcEventLog reopened = open(database, builder -> builder.retention(RetentionPolicy.of(1000, Duration.ofHours(1))));
        LogPage page = reopened.readAfter(0, 100);
        assertThat(page.horizon()).isEqualTo(horizon);
        assertThat(page.events()).extracting(Event::data).containsExactly("e7", "e8", "e9", "e10", "e11");
    }

    @Test
    void retentionByAgeDeletesExpiredRowsEvenWhenNoneAreCachedAndTheHorizonSurvivesReopening() throws Exception {
        TestDatabase database = database();
        MutableClock clock = MutableClock.startingNow();
        UnaryOperator<JdbcEventLog.Builder> settings = builder -> builder.clock(clock).recentEvents(0)
                .retention(RetentionPolicy.of(100, Duration.ofMinutes(10))).purgeInterval(Duration.ofHours(1));
        JdbcEventLog log = open(database, settings);
        Event old = log.append(publication("old"));
        log.append(publication("older-but-kept"));
        clock.advance(Duration.ofMinutes(6));
        Event recent = log.append(publication("recent"));
        clock.advance(Duration.ofMinutes(5));

        log.purgeNow();

        assertThat(log.persistedHorizon()).isEqualTo(recent.id() - 1).isGreaterThan(old.id());
        assertThat(database.queryLong("SELECT COUNT(*) FROM herald_events")).isEqualTo(1);
        assertThat(log.readAfter(0, 10).events()).extracting(Event::data).containsExactly("recent");
        log.close();

        LogPage page = open(database, settings).readAfter(0, 10);
        assertThat(page.horizon()).isEqualTo(recent.id() - 1);
        assertThat(page.events()).extracting(Event::data).containsExactly("recent");
    }

    @Test
    void anUnreachableDatabaseFailsAppendsAndReadsAndTheLogRecoversWhenItReturns() {
        TestDatabase database = createStoppableDatabase();
        databases.add(database);
        JdbcEventLog log = open(database, builder -> builder.recentEvents(0));
        Event before = log.append(publication("before"));

        database.stopServer();
        try {
            assertThatThrownBy(() -> log.append(publication("during")))
                    .isInstanceOf(EventLogException.class)
                    .hasMessageContaining("nothing was stored");
            assertThatThrownBy(() -> log.readAfter(0, 10)).isInstanceOf(EventLogException.class);
        } finally {
            database.startServer();
        }

        Event after = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .ignoreException(EventLogException.class)
                .until(() -> log.append(publication("after")), event -> true);
        assertThat(after.id()).isEqualTo(before.id() + 1);
        assertThat(log.readAfter(0, 10).events()).extracting(Event::data).containsExactly("before", "after");
    }

    @ParameterizedTest(name = "with {0} events cached")
    @ValueSource(ints = {0, 4096})
    void aReaderNeverSeesAnIdBeforeEverySmallerIdIsReadable(int cached) throws Exception {
        JdbcEventLog log = open(database(), builder -> builder.recentEvents(cached)
                .retention(RetentionPolicy.of(100_000, Duration.ofHours(1))));
        long start = log.readAfter(Long.MAX_VALUE, 0).lastId();
        int writers = 4;
        int perWriter = 300;
        long end = start + writers * perWriter;
        ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
        AtomicBoolean writing = new AtomicBoolean(true);
        try (ExecutorService pool = Executors.newFixedThreadPool(writers + 2)) {
            List<Future<?>> readers = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                int pageSize = r == 0 ? 7 : 64;
                readers.add(pool.submit(() -> {
                    long cursor = start;
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                    while (cursor < end && System.nanoTime() < deadline && violations.size() < 10) {
                        LogPage page = log.readAfter(cursor, pageSize);
                        for (Event event : page.events()) {
                            if (event.id() != cursor + 1) {
                                violations.add("after " + cursor + " read " + event.id());
                            }
                            cursor = event.id();
                        }
                        if (page.lastId() < cursor) {
                            violations.add("lastId " + page.lastId() + " below a read id " + cursor);
                        }
                        if (page.events().isEmpty()) {
                            if (!writing.get() && page.lastId() == cursor && cursor < end) {
                                violations.add("caught up at " + cursor + " but " + end + " was appended");
                                return;
                            }
                            LockSupport.parkNanos(200_000);
                        }
                    }
                    if (cursor != end) {
                        violations.add("reader stopped at " + cursor + ", expected " + end);
                    }
                }));
            }
            List<Future<?>> appenders = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                appenders.add(pool.submit(() -> {
                    for (int i = 0; i < perWriter; i++) {
                        log.append(publication(writer + "-" + i));
                    }
                }));
            }
            for (Future<?> appender : appenders) {
                appender.get(60, TimeUnit.SECONDS);
            }
            writing.set(false);
            for (Future<?> reader : readers) {
                reader.get(90, TimeUnit.SECONDS);
            }
        }

        assertThat(violations).isEmpty();
    }

    @Test
    void closingFailsLaterAppendsStopsItsThreadsAndLeavesTheDataSourceOpen() throws Exception {
        TestDatabase database = database();
        JdbcEventLog log = open(database);
        log.append(publication("one"));
        List<Thread> threads = log.threads();

        log.close();
        log.close();

        assertThat(threads).extracting(Thread::getName).allMatch(name -> name.startsWith("herald-jdbc-"));
        assertThat(threads).noneMatch(Thread::isAlive);
        assertThatThrownBy(() -> log.append(publication("two"))).isInstanceOf(EventLogException.class)
                .hasMessageContaining("closed");
        assertThat(log.health().reachable()).isFalse();
        assertThat(log.health().details()).containsEntry("error", "the event log is closed");
        try (Connection connection = database.dataSource().getConnection()) {
            assertThat(connection.isValid(1)).isTrue();
        }
    }

    @Test
    void aSecondLogOnTheSameDatabaseTakesOverAndTheFirstStopsAppending() {
        TestDatabase database = database();
        JdbcEventLog first = open(database);
        Event one = first.append(publication("one"));

        JdbcEventLog second = open(database);
        Event two = second.append(publication("two"));

        assertThat(two.id()).isEqualTo(one.id() + 1);
        assertThatThrownBy(() -> first.append(publication("stale"))).isInstanceOf(EventLogException.class)
                .hasMessageContaining("took over");
        assertThat(second.readAfter(0, 10).events()).extracting(Event::data).containsExactly("one", "two");
    }

    // ---- health ----

    /** Health, run on another thread so that a hang fails the test instead of stalling it. */
    protected static LogHealth health(JdbcEventLog log, Duration queryTimeout) throws Exception {
        return CompletableFuture.supplyAsync(log::health).get(queryTimeout.toMillis() + 5000, TimeUnit.MILLISECONDS);
    }

    private static long number(LogHealth health, String key) {
        return ((Number) health.details().get(key)).longValue();
    }

    @Test
    void healthReportsTheStoreTheDatabaseAndTheCommittedPosition() throws Exception {
        JdbcEventLog log = open(database());
        Event appended = log.append(publication("one"));

        LogHealth health = health(log, Duration.ofSeconds(30));

        assertThat(health.reachable()).isTrue();
        assertThat(health.details().keySet())
                .containsExactly("store", "database", "lastCommittedId", "pendingCommits", "oldestPendingMs");
        assertThat(health.details()).containsEntry("store", "jdbc").containsEntry("lastCommittedId", appended.id())
                .containsEntry("pendingCommits", 0).containsEntry("oldestPendingMs", 0L);
        assertThat(health.details().get("database")).isIn("H2", "PostgreSQL");
    }

    @Test
    void healthCountsAppendsNotCommittedYetAndHowLongTheOldestHasWaited() throws Exception {
        JdbcEventLog log = open(database());
        List<CompletableFuture<Event>> appends = new ArrayList<>();
        log.holdCommits();
        try {
            appends.add(log.appendAsync(publication("first")));
            appends.add(log.appendAsync(publication("second")));
            Thread.sleep(50);

            LogHealth waiting = health(log, Duration.ofSeconds(30));

            assertThat(waiting.reachable()).isTrue();
            assertThat(waiting.details()).containsEntry("pendingCommits", 2);
            assertThat(number(waiting, "oldestPendingMs")).isGreaterThanOrEqualTo(50);
        } finally {
            log.releaseCommits();
        }
        Event last = null;
        for (CompletableFuture<Event> append : appends) {
            last = append.get(10, TimeUnit.SECONDS);
        }

        LogHealth committed = health(log, Duration.ofSeconds(30));
        assertThat(committed.details()).containsEntry("pendingCommits", 0).containsEntry("oldestPendingMs", 0L)
                .containsEntry("lastCommittedId", last.id());
    }

    @Test
    void anUnreachableDatabaseMakesHealthUnreachableAndItIsReachableAgainOnceTheDatabaseIsBack() throws Exception {
        TestDatabase database = createStoppableDatabase();
        databases.add(database);
        Duration queryTimeout = Duration.ofSeconds(2);
        JdbcEventLog log = open(database, builder -> builder.queryTimeout(queryTimeout));
        assertThat(health(log, queryTimeout).reachable()).isTrue();

        database.stopServer();
        try {
            LogHealth down = health(log, queryTimeout);

            assertThat(down.reachable()).isFalse();
            assertThat(down.details().keySet()).containsExactly(
                    "store", "database", "lastCommittedId", "pendingCommits", "oldestPendingMs", "error");
            assertThat((String) down.details().get("error")).isNotBlank().doesNotContainIgnoringCase("password=");
        } finally {
            database.startServer();
        }

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> health(log, queryTimeout).reachable());
        log.append(publication("after"));
    }

    @Test
    void healthReturnsWithinTheQueryTimeoutWhenThePoolHangsAndChecksOneAtATime() throws Exception {
        TestDatabase database = database();
        CountDownLatch hang = new CountDownLatch(1);
        AtomicBoolean hanging = new AtomicBoolean();
        AtomicInteger checks = new AtomicInteger();
        DataSource real = database.dataSource();
        DataSource stalling = (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {DataSource.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("getConnection") && hanging.get()
                            && Thread.currentThread().getName().equals("herald-jdbc-health")) {
                        checks.incrementAndGet();
                        hang.await(); // a pool that waits for a connection, longer than anyone should
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        Duration queryTimeout = Duration.ofSeconds(1);
        JdbcEventLog log = JdbcEventLog.builder(stalling).queryTimeout(queryTimeout).build();
        logs.add(log);
        try {
            assertThat(health(log, queryTimeout).reachable()).isTrue();

            hanging.set(true);
            LogHealth first = health(log, queryTimeout);
            LogHealth second = health(log, queryTimeout);

            assertThat(first.reachable()).isFalse();
            assertThat(first.details()).containsEntry("error", "the database did not answer within 1 s");
            assertThat(second.reachable()).isFalse();
            assertThat(checks).as("connection checks started while one hangs").hasValue(1);
        } finally {
            hanging.set(false);
            hang.countDown();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> health(log, queryTimeout).reachable());
    }
}
