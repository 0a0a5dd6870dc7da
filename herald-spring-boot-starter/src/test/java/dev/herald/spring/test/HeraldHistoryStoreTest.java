package dev.herald.spring.test;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.core.DeliveryCursors;
import dev.herald.core.Event;
import dev.herald.core.EventLog;
import dev.herald.core.Hub;
import dev.herald.core.InMemoryEventLog;
import dev.herald.core.Publication;
import dev.herald.core.RetentionPolicy;
import dev.herald.jdbc.JdbcDeliveryCursors;
import dev.herald.jdbc.JdbcEventLog;
import dev.herald.spring.boot.HeraldAutoConfiguration;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class HeraldHistoryStoreTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(HeraldAutoConfiguration.class));

    @TempDir
    Path dataDir;

    @Test
    void historyIsInMemoryByDefault() {
        runner.run(context -> {
            assertThat(context.getBean("heraldEventLog")).isInstanceOf(InMemoryEventLog.class);
            assertThat(context).hasSingleBean(EventLog.class).hasSingleBean(DeliveryCursors.class)
                    .doesNotHaveBean("heraldHistoryDatabase");
            assertThat(context.getBean(DeliveryCursors.class).getClass().getSimpleName()).isEqualTo("InMemoryDeliveryCursors");
        });
    }

    @Test
    void theH2StoreKeepsEventsAndDeliveryCursorsAcrossRestarts() {
        ApplicationContextRunner h2 = runner.withPropertyValues("herald.history.store=h2", "herald.data-dir=" + dataDir);
        AtomicLong stored = new AtomicLong();
        h2.run(context -> {
            assertThat(context.getBean(EventLog.class)).isInstanceOf(JdbcEventLog.class);
            assertThat(context.getBean(DeliveryCursors.class)).isInstanceOf(JdbcDeliveryCursors.class);
            Event event = context.getBean(Hub.class).publish(Publication.to("kept").data("across restarts").build());
            stored.set(event.id());
            context.getBean(DeliveryCursors.class).delivered("alice", event.id());
        });
        h2.run(context -> {
            assertThat(context.getBean(EventLog.class).readAfter(stored.get() - 1, 10).events())
                    .extracting(Event::id).containsExactly(stored.get());
            assertThat(context.getBean(DeliveryCursors.class).lastDelivered("alice")).hasValue(stored.get());
            long next = context.getBean(Hub.class).publish(Publication.to("kept").data("after").build()).id();
            assertThat(next).as("ids keep increasing across restarts").isGreaterThan(stored.get());
        });
    }

    @Test
    void aJdbcUrlSelectsTheJdbcStore() {
        runner.withPropertyValues("herald.history.jdbc.url=jdbc:h2:mem:herald-url-test;DB_CLOSE_DELAY=-1",
                "herald.history.jdbc.username=sa").run(context -> {
            assertThat(context.getBean(EventLog.class)).isInstanceOf(JdbcEventLog.class);
            Hub hub = context.getBean(Hub.class);
            long id = hub.publish(Publication.to("t").data("x").build()).id();
            assertThat(context.getBean(EventLog.class).readAfter(id - 1, 1).events()).hasSize(1);
        });
    }

    @Test
    void anExplicitStoreWinsOverAJdbcUrlAndTheDefaultStoreAppliesWhenNeitherIsSet() {
        runner.withPropertyValues("herald.history.store=memory", "herald.history.jdbc.url=jdbc:h2:mem:not-used")
                .run(context -> assertThat(context.getBean(EventLog.class)).isInstanceOf(InMemoryEventLog.class));
        runner.withPropertyValues("herald.history.default-store=h2", "herald.data-dir=" + dataDir)
                .run(context -> assertThat(context.getBean(EventLog.class)).isInstanceOf(JdbcEventLog.class));
    }

    @Test
    void theJdbcStoreWithoutADatabaseFailsAtStartWithAClearMessage() {
        runner.withPropertyValues("herald.history.store=jdbc").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause()
                    .hasMessageContaining("herald.history.jdbc.url or a DataSource bean");
        });
    }

    @Test
    void anApplicationsOwnEventLogReplacesTheStore() {
        runner.withPropertyValues("herald.history.store=h2", "herald.data-dir=" + dataDir)
                .withBean(EventLog.class, () -> new InMemoryEventLog(RetentionPolicy.defaults(), InstantSource.system()))
                .run(context -> {
                    assertThat(context).doesNotHaveBean("heraldEventLog").doesNotHaveBean("heraldHistoryDatabase");
                    assertThat(context.getBean(EventLog.class)).isInstanceOf(InMemoryEventLog.class);
                    assertThat(context).hasSingleBean(DeliveryCursors.class);
                    assertThat(context.getBean(DeliveryCursors.class).getClass().getSimpleName()).isEqualTo("InMemoryDeliveryCursors");
                    assertThat(dataDir).isEmptyDirectory();
                });
    }
}
