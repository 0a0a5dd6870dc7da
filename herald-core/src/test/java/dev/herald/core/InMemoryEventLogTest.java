package dev.herald.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.core.testing.EventLogContract;
import dev.herald.core.testing.MutableClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class InMemoryEventLogTest extends EventLogContract {

    @Override
    protected EventLog createLog(RetentionPolicy retention, MutableClock clock) {
        return new InMemoryEventLog(retention, clock);
    }

    @Test
    void aRestartedLogNeverReissuesIdsFromBefore() {
        MutableClock clock = MutableClock.startingNow();
        EventLog before = newLog(RetentionPolicy.of(100, Duration.ofHours(1)), clock);
        Event seenByClient = null;
        for (int i = 0; i < 50; i++) {
            seenByClient = before.append(Publication.to("t").data("e" + i).build());
        }
        clock.advance(Duration.ofSeconds(1));

        EventLog after = newLog(RetentionPolicy.of(100, Duration.ofHours(1)), clock);

        assertThat(after.readAfter(0, 0).horizon()).isGreaterThan(seenByClient.id());
    }
}
