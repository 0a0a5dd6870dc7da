package dev.herald.spring.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.core.Event;
import dev.herald.core.Hub;
import dev.herald.core.Publication;
import dev.herald.core.testing.SseWireClient;
import dev.herald.spring.testing.RunningServer;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "herald.max-connections=3",
    "herald.max-connections-per-user=2",
    "herald.limit-retry-after=7s",
    "herald.history.max-events=5",
    "herald.heartbeat=200ms",
})
class HeraldLimitsTest {

    @Autowired
    Hub hub;

    @RegisterExtension
    final RunningServer server = new RunningServer();

    private SseWireClient subscribe(String query) throws Exception {
        return server.stream("/events?" + query);
    }

    @Test
    void refusesAUsersExtraConnectionWith429AndTheHubsWith503() throws Exception {
        assertThat(subscribe("topic=t&user=alice").status()).isEqualTo(200);
        assertThat(subscribe("topic=t&user=alice").status()).isEqualTo(200);

        SseWireClient third = subscribe("topic=t&user=alice");
        assertThat(third.status()).isEqualTo(429);
        assertThat(third.header("Retry-After")).isEqualTo("7");
        third.awaitEnd(Duration.ofSeconds(5));
        assertThat(third.text()).contains("urn:herald:problem:too-many-connections").contains("\"limit\":2");

        assertThat(subscribe("topic=t&user=bob").status()).isEqualTo(200);
        SseWireClient full = subscribe("topic=t&user=carol");
        assertThat(full.status()).isEqualTo(503);
        assertThat(full.header("Retry-After")).isEqualTo("7");
        full.awaitEnd(Duration.ofSeconds(5));
        assertThat(full.text()).contains("urn:herald:problem:hub-full");
        assertThat(hub.stats().connections()).isEqualTo(3);
    }

    @Test
    void aReconnectWithTheSameClientIdReplacesTheOldStreamInsteadOfCountingTwice() throws Exception {
        SseWireClient first = subscribe("topic=t&user=dave&clientId=tab");
        subscribe("topic=t&user=dave");

        SseWireClient again = subscribe("topic=t&user=dave&clientId=tab");

        assertThat(again.status()).isEqualTo(200);
        assertThat(first.awaitEnd(Duration.ofSeconds(5))).isTrue();
        await().until(() -> hub.stats().connections() == 2);
    }

    @Test
    void tellsAClientWhoseHistoryExpiredWithAnEventItsEventSourceCanSee() throws Exception {
        Event first = hub.publish(Publication.to("h").data("h0").build());
        for (int i = 1; i <= 7; i++) {
            hub.publish(Publication.to("h").data("h" + i).build());
        }

        SseWireClient stream = subscribe("topic=h&lastEventId=" + first.id());

        await().until(() -> stream.parser().events().size() == 6);
        assertThat(stream.parser().events().getFirst().type()).isEqualTo("herald-reset");
        assertThat(stream.parser().events().getFirst().data()).contains("\"reason\":\"expired\"");
        assertThat(stream.header("Last-Event-ID")).isEqualTo(stream.parser().events().getFirst().lastEventId());
        assertThat(stream.parser().events().subList(1, 6)).extracting(e -> e.data()).containsExactly("h3", "h4", "h5", "h6", "h7");
    }
}
