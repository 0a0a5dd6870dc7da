package dev.herald.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.core.Event;
import dev.herald.core.EventLog;
import dev.herald.core.LogPage;
import dev.herald.core.Publication;
import dev.herald.core.RetentionPolicy;
import dev.herald.redis.testing.RedisServer;
import io.lettuce.core.FlushMode;
import io.lettuce.core.RedisClient;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What a shared stream must survive: skewed clocks, foreign entries, lost functions, lost data, odd retention. */
class RedisFaultsTest {

    private static final AtomicInteger NAMESPACES = new AtomicInteger();

    private RedisServer server;
    private RedisClient client;
    private StatefulRedisConnection<String, String> raw;
    private final List<HeraldRedis> nodes = new ArrayList<>();
    private String namespace;

    @BeforeEach
    void start() {
        server = RedisServer.start();
        client = RedisClient.create(server.uri());
        raw = client.connect();
        namespace = "faults-" + NAMESPACES.incrementAndGet();
    }

    @AfterEach
    void stop() {
        nodes.forEach(HeraldRedis::close);
        raw.close();
        client.shutdown();
        server.close();
    }

    private HeraldRedis node(InstantSource clock, RetentionPolicy retention) {
        HeraldRedis node = HeraldRedis.builder(server.uri()).namespace(namespace).clock(clock).retention(retention).build();
        nodes.add(node);
        return node;
    }

    private HeraldRedis node() {
        return node(InstantSource.system(), RetentionPolicy.defaults());
    }

    private static Publication event(String data) {
        return Publication.to("t").data(data).build();
    }

    private String stream() {
        return "{" + namespace + "}:events";
    }

    @Test
    void aStreamWhoseLastIdIsAtTheEndOfItsMillisecondStillTakesAppendsAndIsFollowed() {
        HeraldRedis ahead = node();
        HeraldRedis follower = node();
        long future = System.currentTimeMillis() + 60_000;
        // As if a node whose clock runs a minute ahead had appended a million events in one millisecond.
        raw.sync().xadd(stream(), new XAddArgs().id(future + "-999999"), "t", "0", "topics", "t", "data", "pinned");

        Event after = ahead.eventLog().append(event("after"));

        assertThat(after.id()).isEqualTo((future + 1) * 1_000_000L);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                follower.eventLog().readAfter(future * 1_000_000L + 999_998, 10).events())
                .extracting(Event::data).containsExactly("pinned", "after"));
        assertThat(follower.eventLog().readAfter(Long.MAX_VALUE, 0).lastId()).isEqualTo(after.id());
    }

    @Test
    void entriesThatAreNotHeraldEventsAreSkippedAndFollowingGoesOn() {
        HeraldRedis publisher = node();
        HeraldRedis reader = node();
        Event before = publisher.eventLog().append(event("before"));
        raw.sync().xadd(stream(), "something", "else");
        Event after = publisher.eventLog().append(event("after"));

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                reader.eventLog().readAfter(before.id() - 1, 10).events()).extracting(Event::id)
                .containsExactly(before.id(), after.id()));
    }

    @Test
    void retentionOfAgesLongerThanTheEpochKeepsEverythingAndRefusesNothing() {
        for (Duration age : List.of(Duration.ofDays(365L * 100), Duration.ofSeconds(Long.MAX_VALUE))) {
            EventLog log = node(InstantSource.system(), RetentionPolicy.of(100, age)).eventLog();
            Event stored = log.append(Publication.to("t").data("kept").key("k-" + age.toDays()).build());
            assertThat(log.readAfter(stored.id() - 1, 10).events()).extracting(Event::data).containsExactly("kept");
        }
    }

    @Test
    void aClockFarAheadDoesNotTrimTheClustersHistoryEarly() {
        HeraldRedis honest = node();
        Event kept = honest.eventLog().append(event("kept"));
        Clock twoHoursAhead = Clock.offset(Clock.systemUTC(), Duration.ofHours(2));
        HeraldRedis ahead = node(twoHoursAhead, RetentionPolicy.of(1000, Duration.ofHours(1)));

        ahead.eventLog().append(event("from the future"));

        LogPage page = ahead.eventLog().readAfter(kept.id() - 1, 10);
        assertThat(page.events()).extracting(Event::data).containsExactly("kept", "from the future");
        assertThat(page.horizon()).isLessThan(kept.id());
    }

    @Test
    void appendsGoOnAfterRedisLostHerFunctions() throws Exception {
        EventLog log = node().eventLog();
        log.append(event("first"));
        raw.sync().functionFlush(FlushMode.SYNC);

        List<CompletableFuture<Event>> appended = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            appended.add(log.appendAsync(event("e" + i)));
        }

        List<Long> ids = new ArrayList<>();
        for (CompletableFuture<Event> future : appended) {
            ids.add(future.get(10, TimeUnit.SECONDS).id());
        }
        assertThat(ids).doesNotHaveDuplicates().hasSize(200);
        assertThat(log.readAfter(0, 1000).events()).hasSize(201);
    }

    @Test
    void afterRedisLostItsDataNewEventsGetIdsAboveEveryPositionANodeHeld() throws Exception {
        Clock fiveSecondsAhead = Clock.offset(Clock.systemUTC(), Duration.ofSeconds(5));
        HeraldRedis ahead = node(fiveSecondsAhead, RetentionPolicy.defaults());
        HeraldRedis honest = node();
        Event high = ahead.eventLog().append(event("from a clock ahead"));
        await().atMost(Duration.ofSeconds(10)).until(() -> honest.eventLog().readAfter(high.id() - 1, 10).events().size() == 1);

        server.kill();
        server.wipeData();
        server.startProcess();

        // The followers notice the stream now ends below what they saw, and move it past that.
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
                .until(() -> honest.eventLog().readAfter(Long.MAX_VALUE, 0).lastId() >= high.id());
        Event next = honest.eventLog().append(event("after the loss"));

        assertThat(next.id()).isGreaterThan(high.id());
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(ahead.eventLog().readAfter(high.id(), 10).events())
                .extracting(Event::data).containsExactly("after the loss"));
        LogPage bounds = honest.eventLog().readAfter(Long.MAX_VALUE, 0);
        assertThat(bounds.horizon()).as("what was lost counts as gone").isGreaterThanOrEqualTo(high.id());
        assertThat(Instant.ofEpochMilli(next.time().toEpochMilli())).isBeforeOrEqualTo(Instant.now());
    }
}
