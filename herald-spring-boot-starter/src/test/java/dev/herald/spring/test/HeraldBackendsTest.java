package dev.herald.spring.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.core.DeliveryCursors;
import dev.herald.core.EventBus;
import dev.herald.core.EventLog;
import dev.herald.core.Hub;
import dev.herald.core.InMemoryEventLog;
import dev.herald.core.Presence;
import dev.herald.core.RetentionPolicy;
import dev.herald.jdbc.JdbcDeliveryCursors;
import dev.herald.jdbc.JdbcEventLog;
import dev.herald.redis.HeraldRedis;
import dev.herald.redis.RedisDeliveryCursors;
import dev.herald.redis.RedisEventLog;
import dev.herald.redis.RedisPresence;
import dev.herald.redis.testing.RedisServer;
import dev.herald.spring.boot.HeraldAutoConfiguration;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** Which backend's beans the properties select: memory, a database, Redis, or the application's own log. */
class HeraldBackendsTest {

    /** Where nothing listens: a backend that stood aside never connected to it. */
    private static final String NO_REDIS = "redis://127.0.0.1:1";

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(HeraldAutoConfiguration.class));

    @TempDir
    Path dataDir;

    @Test
    void withoutSettingsEveryBackendBeanIsInMemoryAndLocal() {
        runner.run(context -> {
            assertThat(context).hasNotFailed().doesNotHaveBean(HeraldRedis.class).doesNotHaveBean("heraldHistoryDatabase");
            assertThat(context.getBean("heraldEventLog")).isInstanceOf(InMemoryEventLog.class);
            assertThat(context.getBean("heraldDeliveryCursors").getClass().getSimpleName()).isEqualTo("InMemoryDeliveryCursors");
            assertLocalBusAndPresence(context);
        });
    }

    @Test
    void anH2StorePutsLogAndCursorsInTheDatabaseAndKeepsBusAndPresenceLocal() {
        runner.withPropertyValues("herald.history.store=h2", "herald.data-dir=" + dataDir).run(context -> {
            assertThat(context).hasNotFailed().hasBean("heraldHistoryDatabase").doesNotHaveBean(HeraldRedis.class);
            assertThat(context.getBean("heraldEventLog")).isInstanceOf(JdbcEventLog.class);
            assertThat(context.getBean("heraldDeliveryCursors")).isInstanceOf(JdbcDeliveryCursors.class);
            assertLocalBusAndPresence(context);
        });
    }

    @Test
    void aRedisUrlPutsLogCursorsBusAndPresenceOnOneRedisClientClosedWithTheContext() {
        AtomicReference<HeraldRedis> redis = new AtomicReference<>();
        AtomicReference<Hub> hub = new AtomicReference<>();
        runner.withPropertyValues("herald.redis.url=" + RedisServer.shared().uri(), "herald.redis.namespace=backends")
                .run(context -> {
                    assertThat(context).hasNotFailed().hasSingleBean(HeraldRedis.class).doesNotHaveBean("heraldHistoryDatabase");
                    assertThat(context.getBean("heraldEventLog")).isInstanceOf(RedisEventLog.class);
                    assertThat(context.getBean("heraldDeliveryCursors")).isInstanceOf(RedisDeliveryCursors.class);
                    assertThat(context.getBean("heraldEventBus").getClass().getName()).isEqualTo("dev.herald.redis.RedisEventBus");
                    assertThat(context.getBean("heraldPresence")).isInstanceOf(RedisPresence.class);
                    redis.set(context.getBean(HeraldRedis.class));
                    hub.set(context.getBean(Hub.class));
                });
        assertThat(hub.get().isClosed()).isTrue();
        assertThatThrownBy(() -> redis.get().presence(hub.get())).as("the client is closed after the hub")
                .isInstanceOf(IllegalStateException.class).hasMessage("closed");
    }

    @Test
    void anApplicationsOwnEventLogSetsEveryBackendAsideAndTheRestIsLocal() {
        EventLog own = new InMemoryEventLog(RetentionPolicy.defaults(), InstantSource.system());
        runner.withPropertyValues("herald.redis.url=" + NO_REDIS).withBean(EventLog.class, () -> own).run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(EventLog.class).doesNotHaveBean("heraldEventLog")
                    .doesNotHaveBean(HeraldRedis.class).doesNotHaveBean("heraldHistoryDatabase");
            assertThat(context.getBean(Hub.class).eventLog()).isSameAs(own);
            assertThat(context.getBean("heraldDeliveryCursors").getClass().getSimpleName()).isEqualTo("InMemoryDeliveryCursors");
            assertLocalBusAndPresence(context);
        });
    }

    @Test
    void anApplicationsOwnCursorsReplaceOnlyTheBackendsCursors() {
        DeliveryCursors own = DeliveryCursors.inMemory();
        runner.withPropertyValues("herald.history.store=h2", "herald.data-dir=" + dataDir)
                .withBean(DeliveryCursors.class, () -> own).run(context -> {
                    assertThat(context).hasNotFailed().hasSingleBean(DeliveryCursors.class).doesNotHaveBean("heraldDeliveryCursors");
                    assertThat(context.getBean(DeliveryCursors.class)).isSameAs(own);
                    assertThat(context.getBean("heraldEventLog")).isInstanceOf(JdbcEventLog.class);
                });
    }

    @Test
    void aRedisUrlWithoutHeraldRedisFailsAtStartWithWhatToAdd() {
        runner.withPropertyValues("herald.redis.url=" + NO_REDIS).withClassLoader(new FilteredClassLoader("dev.herald.redis."))
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure()).rootCause().isInstanceOf(IllegalStateException.class)
                            .hasMessage("herald.redis.url (cluster mode) needs dev.herald:herald-redis on the class path");
                });
    }

    @Test
    void aRedisUrlBesideAHistoryStoreFailsAtStartBeforeConnecting() {
        runner.withPropertyValues("herald.redis.url=" + NO_REDIS, "herald.history.store=h2", "herald.data-dir=" + dataDir)
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure()).rootCause().isInstanceOf(IllegalStateException.class)
                            .hasMessage("a cluster keeps its history in Redis: unset herald.history.store=h2 or the Redis URL");
                    assertThat(dataDir).isEmptyDirectory();
                });
    }

    @Test
    void aDatabaseStoreWithoutHeraldJdbcFailsAtStartWithWhatToAdd() {
        runner.withPropertyValues("herald.history.store=h2", "herald.data-dir=" + dataDir)
                .withClassLoader(new FilteredClassLoader("dev.herald.jdbc.")).run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure()).rootCause().isInstanceOf(IllegalStateException.class)
                            .hasMessage("herald.history.store=h2 needs dev.herald:herald-jdbc (and a JDBC driver) on the class path");
                });
    }

    private static void assertLocalBusAndPresence(AssertableApplicationContext context) {
        assertThat(context.getBean(EventBus.class).getClass().getSimpleName()).isEqualTo("LocalEventBus");
        assertThat(context.getBean(Presence.class)).isNotInstanceOf(RedisPresence.class);
        assertThat(context.getBean(Presence.class).summary().nodes()).isEqualTo(1);
    }
}
