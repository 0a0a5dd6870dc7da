package dev.herald.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.herald.core.Event;
import dev.herald.core.EventLogException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link JdbcEventLogBehaviour} on PostgreSQL, whose outage is the shared test server stopping. */
class PostgresJdbcEventLogTest extends JdbcEventLogBehaviour {

    /** Per test, so that without PostgreSQL each test shows as skipped, with the reason. */
    @BeforeEach
    void server() {
        PostgresServer.get();
    }

    @Override
    protected TestDatabase createDatabase() {
        return PostgresServer.get().freshDatabase();
    }

    @Override
    protected TestDatabase createStoppableDatabase() {
        return PostgresServer.get().freshDatabase();
    }

    @Test
    void anEventTheDatabaseRefusesFailsAloneAndTheRestOfItsBatchIsStored() throws Exception {
        JdbcEventLog log = open(database());
        List<Future<Event>> results = new ArrayList<>();
        log.holdCommits();
        try (ExecutorService pool = Executors.newFixedThreadPool(3)) {
            try {
                // One at a time into the queue, so the batch holds them in this order.
                results.add(pool.submit(() -> log.append(publication("first"))));
                await().atMost(Duration.ofSeconds(10)).until(() -> log.queuedAppends() == 1);
                // PostgreSQL text cannot hold U+0000.
                results.add(pool.submit(() -> log.append(publication("nul \u0000 inside"))));
                await().atMost(Duration.ofSeconds(10)).until(() -> log.queuedAppends() == 2);
                results.add(pool.submit(() -> log.append(publication("third"))));
                await().atMost(Duration.ofSeconds(10)).until(() -> log.queuedAppends() == 3);
            } finally {
                log.releaseCommits();
            }
            Event first = results.get(0).get(10, TimeUnit.SECONDS);
            Event third = results.get(2).get(10, TimeUnit.SECONDS);

            assertThatThrownBy(() -> results.get(1).get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(EventLogException.class).hasMessageContaining("refused");
            assertThat(third.id()).isEqualTo(first.id() + 1);
            assertThat(log.readAfter(0, 10).events()).extracting(Event::data).containsExactly("first", "third");
        }
    }
}
