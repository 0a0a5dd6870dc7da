package dev.herald.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SubscriberTest {

    @Test
    void onlyTheLastConnectionMadeIsCurrentSoAnEarlierOnesLateCloseIsNotTakenForADrop() {
        Subscriber subscriber = new Subscriber(0, "t", UrlTemplate.of("http://127.0.0.1:1/events?topic={topic}"), new Latencies());

        Subscriber.Handler dropped = subscriber.newConnection();
        assertThat(dropped.current()).isTrue();
        Subscriber.Handler next = subscriber.newConnection();

        assertThat(dropped.current()).isFalse();
        assertThat(next.current()).isTrue();
    }
}
