package dev.herald.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class PublishScheduleTest {

    @Test
    void eventsAreDueEvenlySpacedFromTheStart() {
        PublishSchedule schedule = new PublishSchedule(1000, 1, 1);

        assertThat(schedule.dueNanos(0)).isZero();
        assertThat(schedule.dueNanos(1)).isEqualTo(1_000_000);
        assertThat(schedule.dueNanos(999)).isEqualTo(999_000_000);
        for (long event = 1; event < 10_000; event++) {
            assertThat(schedule.dueNanos(event) - schedule.dueNanos(event - 1)).isEqualTo(1_000_000);
        }
    }

    @Test
    void aRateThatDoesNotDivideASecondStaysOnScheduleWithoutDrift() {
        PublishSchedule schedule = new PublishSchedule(3, 1, 1);

        assertThat(schedule.dueNanos(1)).isEqualTo(333_333_333);
        assertThat(schedule.dueNanos(2)).isEqualTo(666_666_667);
        assertThat(schedule.dueNanos(3)).isEqualTo(1_000_000_000);
        assertThat(schedule.dueNanos(3_000_000)).isEqualTo(1_000_000_000_000_000L);
    }

    @Test
    void countsTheEventsDueWithinADuration() {
        PublishSchedule schedule = new PublishSchedule(100, 4, 2);

        assertThat(schedule.eventsWithin(TimeUnit.SECONDS.toNanos(5))).isEqualTo(500);
        assertThat(schedule.eventsWithin(TimeUnit.MILLISECONDS.toNanos(10))).as("due at 0 only").isEqualTo(1);
        assertThat(schedule.eventsWithin(TimeUnit.MILLISECONDS.toNanos(10) + 1)).as("due at 0 and 10 ms").isEqualTo(2);
        assertThat(schedule.eventsWithin(1)).isEqualTo(1);
        assertThat(schedule.eventsWithin(0)).isZero();
        assertThat(new PublishSchedule(3, 1, 1).eventsWithin(TimeUnit.SECONDS.toNanos(1))).isEqualTo(3);
        assertThat(new PublishSchedule(0.5, 1, 1).eventsWithin(TimeUnit.SECONDS.toNanos(3))).isEqualTo(2);
    }

    @Test
    void eventsGoRoundRobinOverTopicsAndEachTopicKeepsToOneConnection() {
        PublishSchedule schedule = new PublishSchedule(1000, 5, 3);
        Map<Integer, Integer> connectionOfTopic = new HashMap<>();
        int[] perConnection = new int[3];

        for (long event = 0; event < 1500; event++) {
            int topic = schedule.topic(event);
            assertThat(topic).isEqualTo((int) (event % 5));
            int connection = schedule.connection(topic);
            assertThat(connectionOfTopic.computeIfAbsent(topic, t -> connection)).isEqualTo(connection);
            perConnection[connection]++;
        }
        assertThat(perConnection).containsExactly(600, 600, 300);
    }

    @Test
    void refusesNoRateAndMoreConnectionsThanTopics() {
        assertThatThrownBy(() -> new PublishSchedule(0, 1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PublishSchedule(Double.NaN, 1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PublishSchedule(100, 2, 3)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @Timeout(10)
    void waitingNeverReturnsBeforeTheDueTime() {
        long start = System.nanoTime();
        long late = 0;
        for (int event = 0; event < 200; event++) {
            long due = start + event * 1_000_000L;
            PublishSchedule.waitUntil(due);
            long now = System.nanoTime();
            assertThat(now).isGreaterThanOrEqualTo(due);
            late += now - due;
        }
        // Loose, for a busy machine: on average within a millisecond of the due time.
        assertThat(late / 200).isLessThan(1_000_000);
    }
}
