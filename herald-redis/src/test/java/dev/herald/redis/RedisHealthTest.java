package dev.herald.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.core.Event;
import dev.herald.core.LogHealth;
import dev.herald.core.Publication;
import dev.herald.redis.testing.RedisServer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link RedisEventLog#health()}: a PING within the timeout, and how far the follower lags, across outages. */
class RedisHealthTest {

    private static final Duration TIMEOUT = Duration.ofMillis(500);

    private RedisServer server;
    private HeraldRedis node;

    @BeforeEach
    void start() {
        server = RedisServer.start();
        node = HeraldRedis.builder(server.uri()).namespace("health").timeout(TIMEOUT).build();
    }

    @AfterEach
    void stop() {
        try {
            if (node != null) {
                node.close();
            }
        } finally {
            server.close();
        }
    }

    /** Health, run on another thread so that a hang fails the test instead of stalling it. */
    private LogHealth health() throws Exception {
        return CompletableFuture.supplyAsync(node.eventLog()::health)
                .get(TIMEOUT.toMillis() + 5000, TimeUnit.MILLISECONDS);
    }

    private static long lag(LogHealth health) {
        return ((Number) health.details().get("followerLagMs")).longValue();
    }

    @Test
    void aReachableRedisReportsTheStoreTheFollowersLagAndTheLastIdItRead() throws Exception {
        Event event = node.eventLog().append(Publication.to("t").data("one").build());

        await().atMost(Duration.ofSeconds(10)).until(() -> health().details().get("lastId").equals(event.id()));
        LogHealth health = health();

        assertThat(health.reachable()).isTrue();
        assertThat(health.details().keySet()).containsExactly("store", "followerLagMs", "lastId");
        assertThat(health.details()).containsEntry("store", "redis");
        // The follower reads at least once per blocking read (a quarter of a second here).
        assertThat(lag(health)).isBetween(0L, 5000L);
    }

    @Test
    void aStoppedRedisIsUnreachableAndTheFollowerLagGrowsUntilItIsBack() throws Exception {
        assertThat(health().reachable()).isTrue();

        server.kill();
        try {
            LogHealth down = health();
            assertThat(down.reachable()).isFalse();
            assertThat(down.details()).containsEntry("store", "redis").containsKeys("followerLagMs", "lastId", "error");
            assertThat((String) down.details().get("error")).isNotBlank();
            await().atMost(Duration.ofSeconds(10)).until(() -> lag(health()) >= 1000);
        } finally {
            server.startProcess();
        }

        await().atMost(Duration.ofSeconds(20)).until(() -> health().reachable());
        await().atMost(Duration.ofSeconds(20)).until(() -> lag(health()) < 1000);
        Event after = node.eventLog().append(Publication.to("t").data("after").build());
        await().atMost(Duration.ofSeconds(10)).until(() -> health().details().get("lastId").equals(after.id()));
    }

    @Test
    void aRedisThatStopsAnsweringIsUnreachableWithinTheTimeout() throws Exception {
        assertThat(health().reachable()).isTrue();

        server.suspend();
        try {
            LogHealth hung = health();
            assertThat(hung.reachable()).isFalse();
            assertThat((String) hung.details().get("error")).isNotBlank();
        } finally {
            server.resume();
        }

        await().atMost(Duration.ofSeconds(20)).until(() -> health().reachable());
    }

    @Test
    void aClosedLogIsUnreachable() throws Exception {
        node.close();

        LogHealth closed = health();

        assertThat(closed.reachable()).isFalse();
        assertThat(closed.details()).containsEntry("error", "the event log is closed");
    }

    @Test
    void credentialsInAFailureAreMasked() {
        String described = RedisEventLog.describeForHealth(new io.lettuce.core.RedisConnectionException(
                "Unable to connect to redis://herald:s3cret@10.0.0.1:6379"));

        assertThat(described).startsWith("RedisConnectionException: ").contains("redis://***@10.0.0.1:6379")
                .doesNotContain("s3cret");
    }
}
