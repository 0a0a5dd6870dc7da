package dev.herald.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.core.ConnectionLimits;
import dev.herald.core.Event;
import dev.herald.core.EventBus;
import dev.herald.core.HeartbeatPolicy;
import dev.herald.core.InMemoryEventLog;
import dev.herald.core.Publication;
import dev.herald.core.RetentionPolicy;
import dev.herald.core.SubscribeRequest;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SubscriptionIndexTest {

    private final Engine engine = new Engine(new EngineSettings(Duration.ofSeconds(3), HeartbeatPolicy.disabled(),
            ConnectionLimits.of(1000, 1000), 1024, 1 << 22, Duration.ZERO, 65536, Duration.ofSeconds(30), Duration.ofSeconds(1),
            Duration.ofSeconds(1), 64), new InMemoryEventLog(RetentionPolicy.defaults(), InstantSource.system()), EventBus.local(),
            InstantSource.system());
    private final SubscriptionIndex index = new SubscriptionIndex();
    private final SubscriptionIndex.Scratch scratch = new SubscriptionIndex.Scratch();

    @AfterEach
    void close() {
        engine.close();
    }

    private StreamConnection subscribed(String... topics) {
        StreamConnection connection = engine.open(SubscribeRequest.topics(topics).build());
        index.add(connection);
        return connection;
    }

    private List<StreamConnection> selecting(String... topics) {
        List<StreamConnection> out = new ArrayList<>();
        index.forEachSelecting(new Event(1, Instant.EPOCH, Publication.to(topics).data("x").build()), scratch, out::add);
        return out;
    }

    @Test
    void oneTopicSelectsItsSubscribersOnly() {
        StreamConnection a1 = subscribed("a");
        StreamConnection a2 = subscribed("a");
        subscribed("b");

        assertThat(selecting("a")).containsExactlyInAnyOrder(a1, a2);
        assertThat(selecting("nobody")).isEmpty();
    }

    @Test
    void aConnectionMetThroughSeveralSelectorsIsSelectedOnce() {
        StreamConnection everything = subscribed("a", "b", "*");
        StreamConnection template = subscribed("orders/{id}", "orders/7");
        StreamConnection onlyB = subscribed("b");

        assertThat(selecting("a", "b")).containsExactlyInAnyOrder(everything, onlyB);
        assertThat(selecting("orders/7")).containsExactlyInAnyOrder(everything, template);
        assertThat(selecting("orders/7", "orders/8", "c")).containsExactlyInAnyOrder(everything, template);
    }

    @Test
    void aTemplateAloneSelectsItsMatches() {
        StreamConnection template = subscribed("orders/{id}");

        assertThat(selecting("orders/42")).containsExactly(template);
        assertThat(selecting("orders/42/items")).isEmpty();
    }

    @Test
    void removedConnectionsAreNotSelected() {
        StreamConnection gone = subscribed("a", "*");
        StreamConnection kept = subscribed("a");
        index.remove(gone);

        assertThat(selecting("a")).containsExactly(kept);
        assertThat(selecting("z")).isEmpty();
    }
}
