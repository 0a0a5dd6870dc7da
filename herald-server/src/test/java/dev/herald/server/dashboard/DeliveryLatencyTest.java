package dev.herald.server.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.server.dashboard.DashboardSnapshot.Latency;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class DeliveryLatencyTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @Test
    void withoutARegistryOrATimerThereIsNoLatency() {
        assertThat(new DeliveryLatency(null).read()).isNull();
        assertThat(new DeliveryLatency(registry).read()).isNull();
    }

    @Test
    void aTimerThatKeepsNeitherPercentilesNorAHistogramTellsNoPercentile() {
        Timer.builder(DeliveryLatency.TIMER).register(registry).record(Duration.ofMillis(5));

        assertThat(new DeliveryLatency(registry).read()).isEqualTo(new Latency(null, null, null));
    }

    @Test
    void readsThePercentilesTheTimerPublishes() {
        Timer timer = Timer.builder(DeliveryLatency.TIMER).publishPercentiles(0.5, 0.9, 0.99).register(registry);
        for (int millis = 1; millis <= 100; millis++) {
            timer.record(Duration.ofMillis(millis));
        }

        Latency latency = new DeliveryLatency(registry).read();

        assertThat(latency.p50()).isCloseTo(50, Offset.offset(3.0));
        assertThat(latency.p90()).isCloseTo(90, Offset.offset(5.0));
        assertThat(latency.p99()).isCloseTo(99, Offset.offset(5.0));
    }

    @Test
    void estimatesPercentilesFromTheHistogramWhenNoneArePublished() {
        Timer timer = sloTimer();
        for (int i = 0; i < 50; i++) {
            timer.record(Duration.ofMillis(5));
        }
        for (int i = 0; i < 40; i++) {
            timer.record(Duration.ofMillis(15));
        }
        for (int i = 0; i < 10; i++) {
            timer.record(Duration.ofMillis(80));
        }

        Latency latency = new DeliveryLatency(registry).read();

        assertThat(latency.p50()).isBetween(0.0, 10.0);
        assertThat(latency.p90()).isBetween(10.0, 20.0);
        assertThat(latency.p99()).isBetween(50.0, 100.0);
    }

    @Test
    void onceReadTheEstimateFollowsWhatTheHistogramGainedSince() {
        Timer timer = sloTimer();
        for (int i = 0; i < 100; i++) {
            timer.record(Duration.ofMillis(5));
        }
        DeliveryLatency latency = new DeliveryLatency(registry);
        assertThat(latency.read().p50()).isLessThan(10);

        for (int i = 0; i < 10; i++) {
            timer.record(Duration.ofMillis(80));
        }

        assertThat(latency.read().p50()).isBetween(50.0, 100.0);
        assertThat(latency.read().p50()).as("nothing delivered since").isBetween(50.0, 100.0);
    }

    @Test
    void aValuePastTheLastBucketMakesTheEstimateFallBackToTheWholeHistogram() {
        Timer timer = sloTimer();
        for (int i = 0; i < 100; i++) {
            timer.record(Duration.ofMillis(5));
        }
        DeliveryLatency latency = new DeliveryLatency(registry);
        latency.read();

        timer.record(Duration.ofMillis(15));
        timer.record(Duration.ofSeconds(2));

        assertThat(latency.read().p50()).isLessThan(10);
    }

    @Test
    void estimatesInterpolateWithinTheBucketAndStopAtTheLastBound() {
        CountAtBucket[] buckets = {new CountAtBucket(10_000_000.0, 0), new CountAtBucket(20_000_000.0, 10)};

        assertThat(DeliveryLatency.estimated(buckets, 0.5)).isCloseTo(15.0, Offset.offset(1e-9));
        assertThat(DeliveryLatency.estimated(buckets, 1.0)).isCloseTo(20.0, Offset.offset(1e-9));
        assertThat(DeliveryLatency.estimated(new CountAtBucket[0], 0.5)).isNull();
        assertThat(DeliveryLatency.estimated(new CountAtBucket[] {new CountAtBucket(10_000_000.0, 0)}, 0.5)).isNull();
    }

    private Timer sloTimer() {
        return Timer.builder(DeliveryLatency.TIMER).serviceLevelObjectives(
                Duration.ofMillis(10), Duration.ofMillis(20), Duration.ofMillis(50), Duration.ofMillis(100)).register(registry);
    }
}
