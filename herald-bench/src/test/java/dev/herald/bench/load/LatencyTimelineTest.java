package dev.herald.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LatencyTimelineTest {

    @Test
    void readsTheWholeSlicesBetweenTwoTimes() {
        LatencyTimeline timeline = new LatencyTimeline(1_000, 100, 10);
        for (int slice = 0; slice < 10; slice++) {
            timeline.record(1_000 + slice * 100 + 50, (slice + 1) * 1000L); // slice 0: 1 ms, slice 9: 10 ms
        }

        assertThat(timeline.between(1_000, 2_000).getTotalCount()).isEqualTo(10);
        assertThat(timeline.between(1_000, 1_300).getMaxValue()).isBetween(2_940L, 3_060L);
        assertThat(timeline.between(1_250, 2_000).getMinValue()).as("from the next whole slice").isBetween(3_920L, 4_080L);
        assertThat(timeline.between(1_250, 1_350).getTotalCount()).isZero();
        assertThat(timeline.between(0, 99_999).getTotalCount()).as("bounded by the timeline").isEqualTo(10);
    }

    @Test
    void ignoresEventsSentOutsideTheTimeline() {
        LatencyTimeline timeline = new LatencyTimeline(1_000, 100, 10);
        timeline.record(999, 5);
        timeline.record(2_000, 5);

        assertThat(timeline.between(0, 10_000).getTotalCount()).isZero();
    }
}
