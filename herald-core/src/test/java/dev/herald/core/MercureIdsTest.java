package dev.herald.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.herald.core.testing.RecordingSink;
import dev.herald.core.testing.SseParser.Received;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Streams that write each event's own id (Mercure's form), and resuming from ids of every form. */
class MercureIdsTest {

    private final List<Hub> hubs = new ArrayList<>();

    @AfterEach
    void closeHubs() {
        hubs.forEach(Hub::close);
    }

    private Hub hub(Hub.Builder builder) {
        Hub hub = builder.build();
        hubs.add(hub);
        return hub;
    }

    private static RecordingSink subscribe(Hub hub, SubscribeRequest request) {
        RecordingSink sink = new RecordingSink();
        hub.open(request).start(sink);
        return sink;
    }

    private static SubscribeRequest.Builder mercure(String topic) {
        return SubscribeRequest.topics(topic).idFormat(IdFormat.MERCURE);
    }

    private static List<String> data(RecordingSink sink) {
        return sink.events("message").stream().map(Received::data).toList();
    }

    @Test
    void urnsCarryTheLogPositionAndNothingElseReadsAsOne() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (long position : new long[] {1, 42, (1L << 52) - 1, 1L << 52, 1_796_175_784_338_000_001L, Long.MAX_VALUE}) {
            String urn = EventIds.urn(position);
            assertThat(urn).matches("urn:uuid:68657261-6c64-8[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}");
            assertThat(UUID.fromString(urn.substring(EventIds.URN_PREFIX.length())).version()).isEqualTo(8);
            assertThat(EventIds.position(urn)).hasValue(position);
            assertThat(EventIds.position(urn.toUpperCase().replace("URN:UUID:", "urn:uuid:"))).hasValue(position);
        }
        for (int i = 0; i < 1000; i++) {
            assertThat(EventIds.position("urn:uuid:" + UUID.randomUUID())).isEmpty();
            assertThat(EventIds.position(EventIds.urn(1 + random.nextLong(Long.MAX_VALUE - 1)).replace("-8", "-9"))).isEmpty();
        }
        for (String other : new String[] {"", "42", "urn:uuid:", "urn:uuid:68657261-6c64-8000-8000-000000000000",
                "urn:uuid:68657261-6c64-8000-8000-00000000000g", "x" + EventIds.urn(5), null}) {
            assertThat(EventIds.position(other)).as(other).isEmpty();
        }
        assertThatThrownBy(() -> EventIds.urn(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theHubsOwnIdFormsAreToldFromPublishersIds() {
        for (String own : List.of("42", "42~45~47", "earliest", EventIds.urn(7))) {
            assertThat(EventIds.isHubForm(own)).as(own).isTrue();
        }
        for (String publishers : List.of("", "urn:uuid:" + UUID.randomUUID(), "my-id-1", "42a", "https://example.com/books/1")) {
            assertThat(EventIds.isHubForm(publishers)).as(publishers).isFalse();
        }
    }

    @Test
    void aMercureStreamWritesThePublishersIdOrTheEventsUrnAndNoEventLineForMessages() {
        Hub hub = hub(Hub.builder());
        RecordingSink sink = subscribe(hub, mercure("books/1").build());
        await().until(() -> hub.connections().size() == 1 && hub.connections().getFirst().state() == ConnectionInfo.State.LIVE);

        Event given = hub.publish(Publication.to("books/1").data("first\n\nsecond").key("urn:uuid:e1ee88e2-532a-4d6f-ba70-f0f8bd584022").build());
        Event generated = hub.publish(Publication.to("books/1").type("update").data("x").retry(Duration.ofSeconds(7)).build());

        await().until(() -> sink.events().size() == 2);
        assertThat(sink.text()).contains("id: urn:uuid:e1ee88e2-532a-4d6f-ba70-f0f8bd584022\ndata: first\ndata: \ndata: second\n\n");
        assertThat(sink.text()).contains("id: " + EventIds.urn(generated.id()) + "\nevent: update\n");
        assertThat(sink.text()).contains("retry: 7000\n");
        assertThat(sink.events().getFirst().data()).isEqualTo("first\n\nsecond");
        assertThat(given.id()).isLessThan(generated.id());
    }

    @Test
    void eitherKindOfStreamResumesFromAnyKindOfId() {
        Hub hub = hub(Hub.builder());
        Event keyed = hub.publish(Publication.to("t").data("e1").key("my-id-1").build());
        Event plain = hub.publish(Publication.to("t").data("e2").build());
        hub.publish(Publication.to("t").data("e3").build());

        for (IdFormat format : IdFormat.values()) {
            for (String id : List.of("my-id-1", Long.toString(keyed.id()), EventIds.urn(keyed.id()))) {
                RecordingSink sink = subscribe(hub, SubscribeRequest.topics("t").idFormat(format).lastEventId(id).build());
                await().until(() -> data(sink).size() == 2);
                assertThat(data(sink)).as(format + " from " + id).containsExactly("e2", "e3");
            }
            RecordingSink fromUrn = subscribe(hub, SubscribeRequest.topics("t").idFormat(format).lastEventId(EventIds.urn(plain.id())).build());
            await().until(() -> data(fromUrn).size() == 1);
            assertThat(data(fromUrn)).containsExactly("e3");
        }
    }

    @Test
    void earliestAndUnknownIdsReplayEverythingRetainedOnAMercureStreamWithoutAReset() {
        Hub hub = hub(Hub.builder().eventLog(EventLog.inMemory(RetentionPolicy.of(3, Duration.ofHours(1)))));
        List<Event> events = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            events.add(hub.publish(Publication.to("t").data("e" + i).build()));
        }
        for (String id : List.of("earliest", "urn:uuid:" + UUID.randomUUID(), "never-published")) {
            RecordingSink sink = subscribe(hub, mercure("t").lastEventId(id).build());
            await().until(() -> data(sink).size() == 3);
            assertThat(data(sink)).as(id).containsExactly("e3", "e4", "e5");
            assertThat(sink.events("herald-reset")).isEmpty();
        }
        Connection live = hub.open(mercure("t").build());
        Connection unknown = hub.open(mercure("t").lastEventId("never-published").build());
        Connection resumed = hub.open(mercure("t").lastEventId(EventIds.urn(events.get(3).id())).build());
        assertThat(live.resumePoint()).as("the response's Last-Event-ID").isEqualTo(EventIds.urn(events.getLast().id()));
        assertThat(unknown.resumePoint()).isEqualTo("earliest");
        assertThat(resumed.resumePoint()).isEqualTo(EventIds.urn(events.get(3).id()));
        List.of(live, unknown, resumed).forEach(Connection::close);
        assertThatThrownBy(() -> hub.open(SubscribeRequest.topics("t").lastEventId("never-published").build()))
                .as("a Herald stream still refuses ids it cannot place")
                .isInstanceOf(InvalidLastEventIdException.class);
    }

    @Test
    void aMercureStreamKeepsLogOrderWhereAHeraldStreamLetsUrgentEventsOvertake() {
        Hub hub = hub(Hub.builder());
        RecordingSink mercure = subscribe(hub, mercure("t").build());
        await().until(() -> hub.connections().size() == 1 && hub.connections().getFirst().state() == ConnectionInfo.State.LIVE);
        mercure.block();
        Event first = hub.publish(Publication.to("t").data("n0").build());
        await().until(() -> mercure.blockedCalls() == 1);
        hub.publish(Publication.to("t").data("n1").build());
        hub.publish(Publication.to("t").data("h1").priority(Priority.HIGH).build());
        await().until(() -> hub.connections().getFirst().queued() == 2);

        mercure.unblock();

        await().until(() -> data(mercure).size() == 3);
        assertThat(data(mercure)).containsExactly("n0", "n1", "h1");
        assertThat(mercure.events("message").getFirst().lastEventId()).isEqualTo(EventIds.urn(first.id()));
    }
}
