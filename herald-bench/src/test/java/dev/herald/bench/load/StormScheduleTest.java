package dev.herald.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class StormScheduleTest {

    @Test
    void dropsEverySubscriberOnce() {
        StormSchedule schedule = StormSchedule.uniform(15_000, Duration.ofSeconds(2), 7);

        assertThat(schedule.size()).isEqualTo(15_000);
        assertThat(IntStream.range(0, 15_000).map(schedule::subscriber).sorted().toArray())
                .isEqualTo(IntStream.range(0, 15_000).toArray());
    }

    @Test
    void spreadsTheDropsUniformlyOverTheWindow() {
        StormSchedule schedule = StormSchedule.uniform(1000, Duration.ofSeconds(2), 7);

        assertThat(schedule.offsetNanos(0)).isZero();
        assertThat(schedule.offsetNanos(500)).isEqualTo(1_000_000_000);
        assertThat(schedule.offsetNanos(999)).isEqualTo(1_998_000_000).isLessThan(2_000_000_000);
        for (int k = 1; k < 1000; k++) {
            assertThat(schedule.offsetNanos(k) - schedule.offsetNanos(k - 1)).isEqualTo(2_000_000);
        }
        // A count that does not divide the window: gaps differ by a nanosecond at most.
        StormSchedule odd = StormSchedule.uniform(7, Duration.ofMillis(100), 1);
        for (int k = 1; k < 7; k++) {
            assertThat(odd.offsetNanos(k) - odd.offsetNanos(k - 1)).isBetween(14_285_714L, 14_285_715L);
        }
        assertThat(odd.offsetNanos(6)).isLessThan(100_000_000);
    }

    @Test
    void shufflesTheOrderTheSameWayForTheSameSeed() {
        StormSchedule one = StormSchedule.uniform(1000, Duration.ofSeconds(2), 7);
        StormSchedule again = StormSchedule.uniform(1000, Duration.ofSeconds(2), 7);
        StormSchedule other = StormSchedule.uniform(1000, Duration.ofSeconds(2), 8);

        int[] order = IntStream.range(0, 1000).map(one::subscriber).toArray();
        assertThat(IntStream.range(0, 1000).map(again::subscriber).toArray()).isEqualTo(order);
        assertThat(IntStream.range(0, 1000).map(other::subscriber).toArray()).isNotEqualTo(order);
        assertThat(order).as("neighbours do not go together").isNotEqualTo(IntStream.range(0, 1000).toArray());
    }

    @Test
    void anEmptyStormHasNoDrops() {
        assertThat(StormSchedule.uniform(0, Duration.ofSeconds(2), 7).size()).isZero();
    }
}
