package dev.herald.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import dev.herald.core.testing.RecordingSink;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Lines about one connection, user or event carry their ids as key-value pairs
 * ({@code herald.connection.id}, {@code herald.user.id}, {@code herald.event.id}), which structured
 * logs write as fields beside the unchanged message.
 */
class ConnectionLogFieldsTest {

    private final List<Hub> hubs = new ArrayList<>();
    private final List<ILoggingEvent> lines = new CopyOnWriteArrayList<>();
    private final Logger internal = (Logger) LoggerFactory.getLogger("dev.herald.core.internal");
    private final AppenderBase<ILoggingEvent> recorder = new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent event) {
            lines.add(event);
        }
    };

    @BeforeEach
    void recordLines() {
        recorder.setContext(internal.getLoggerContext());
        recorder.start();
        internal.addAppender(recorder);
        internal.setLevel(Level.DEBUG);
    }

    @AfterEach
    void stop() {
        hubs.forEach(Hub::close);
        internal.detachAppender(recorder);
        internal.setLevel(null);
        recorder.stop();
    }

    private Hub hub(Hub.Builder builder) {
        Hub hub = builder.build();
        hubs.add(hub);
        return hub;
    }

    private static Connection subscribe(Hub hub, String user, RecordingSink sink) {
        Connection connection = hub.open(SubscribeRequest.topics("t")
                .subscriber(user == null ? Subscriber.anonymous() : Subscriber.user(user)).build());
        connection.start(sink);
        await().until(() -> hub.connections().stream()
                .anyMatch(info -> info.id() == connection.id() && info.state() == ConnectionInfo.State.LIVE));
        return connection;
    }

    @Test
    void aConnectionDroppedForFallingBehindIsNamedWithItsUser() {
        Hub hub = hub(Hub.builder().queueCapacity(4));
        RecordingSink sink = new RecordingSink();
        Connection slow = subscribe(hub, "alice", sink);
        sink.block();
        hub.publish(Publication.to("t").data("first").build()); // the writer blocks on it
        await().until(() -> sink.blockedCalls() == 1);

        for (int i = 0; i < 5; i++) {
            hub.publish(Publication.to("t").data("more").build());
        }

        ILoggingEvent dropped = awaitLine("Connection " + slow.id() + " (user alice) fell too far behind");
        sink.unblock();
        assertThat(dropped.getLevel()).isEqualTo(Level.INFO);
        assertThat(fields(dropped)).containsExactly(
                Map.entry("herald.connection.id", Long.toString(slow.id())), Map.entry("herald.user.id", "alice"));
    }

    @Test
    void endingAUsersStreamsNamesTheUserAndEachConnectionItClosed() {
        Hub hub = hub(Hub.builder());
        RecordingSink sink = new RecordingSink();
        Connection alice = subscribe(hub, "alice", sink);

        hub.endStreamsOf("alice").join();

        ILoggingEvent ended = awaitLine("Ended 1 streams of user alice");
        assertThat(fields(ended)).containsExactly(Map.entry("herald.user.id", "alice"));
        ILoggingEvent closed = awaitLine("Connection " + alice.id() + " closed: ended for its user");
        assertThat(fields(closed)).containsExactly(
                Map.entry("herald.connection.id", Long.toString(alice.id())), Map.entry("herald.user.id", "alice"));
    }

    @Test
    void anAnonymousConnectionIsNamedWithoutAUser() {
        Hub hub = hub(Hub.builder());
        RecordingSink sink = new RecordingSink();
        Connection anonymous = subscribe(hub, null, sink);
        sink.fail();

        hub.publish(Publication.to("t").data("into the void").build());

        ILoggingEvent ended = awaitLine("Connection " + anonymous.id() + " ended while writing");
        assertThat(fields(ended)).containsExactly(Map.entry("herald.connection.id", Long.toString(anonymous.id())));
        assertThat(ended.getMDCPropertyMap()).as("ids travel with the line, not the thread").isEmpty();
    }

    private ILoggingEvent awaitLine(String start) {
        await().until(() -> lines.stream().anyMatch(line -> line.getFormattedMessage().startsWith(start)));
        return lines.stream().filter(line -> line.getFormattedMessage().startsWith(start)).findFirst().orElseThrow();
    }

    private static Map<String, Object> fields(ILoggingEvent line) {
        Map<String, Object> fields = new LinkedHashMap<>();
        if (line.getKeyValuePairs() != null) {
            line.getKeyValuePairs().forEach(pair -> fields.put(pair.key, pair.value));
        }
        return fields;
    }
}
