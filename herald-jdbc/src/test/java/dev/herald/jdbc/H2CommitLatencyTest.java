package dev.herald.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.herald.core.EventLogException;
import dev.herald.core.MetricsRecorder;
import dev.herald.core.Publication;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;

/** The log tells its recorder how long each append waited for its commit, blocking or not. */
class H2CommitLatencyTest {

    @Test
    void everyCommittedAppendReportsItsWaitAndAFailedOneNothing() {
        ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        MetricsRecorder recorder = new MetricsRecorder() {
            @Override
            public void commitLatency(long nanos) {
                latencies.add(nanos);
            }
        };
        TestDatabase database = H2Databases.inMemory();
        try (JdbcEventLog log = JdbcEventLog.builder(database.dataSource()).recorder(recorder).closing(database).build()) {
            log.append(Publication.to("t").data("blocking").build());
            log.appendAsync(Publication.to("t").data("from an event loop").build()).join();

            await().until(() -> latencies.size() == 2);
            assertThat(latencies).allSatisfy(nanos -> assertThat(nanos).isPositive());

            log.close();
            assertThatThrownBy(() -> log.append(Publication.to("t").data("too late").build())).isInstanceOf(EventLogException.class);
            assertThat(latencies).hasSize(2);
        }
    }
}
