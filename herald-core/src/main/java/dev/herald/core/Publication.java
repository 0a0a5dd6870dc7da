package dev.herald.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What a publisher asks the hub to deliver: an event before the hub has given it an id.
 *
 * <p>Build one with {@link #to(String...)}:
 * <pre>{@code
 * hub.publish(Publication.to("orders/42").type("order-updated").data("{\"status\":\"paid\"}").build());
 * }</pre>
 *
 * @param topics     the topics the event is about; at least one. Subscribers select topics.
 * @param type       the SSE event type ({@code event:} field); {@code message} by default
 * @param data       the payload, any text; may span lines
 * @param key        an optional publisher-chosen key: publishing twice with the same key returns
 *                   the first event instead of storing a second (safe retries); {@code null} if none
 * @param retry      an optional reconnection delay sent with the event ({@code retry:} field)
 * @param privateEvent whether only subscribers entitled to private events of one of its topics,
 *                   or named in the audience, may receive it
 * @param audience   user ids that alone may receive the event; empty means everyone who selects it
 * @param priority   how urgently to deliver it when a connection has a backlog
 */
public record Publication(
        List<String> topics,
        String type,
        String data,
        String key,
        Duration retry,
        boolean privateEvent,
        Set<String> audience,
        Priority priority) {

    /** The event type a browser's {@code onmessage} receives. */
    public static final String DEFAULT_TYPE = "message";

    /** Validates and copies every field. */
    public Publication {
        if (topics == null || topics.isEmpty()) {
            throw new InvalidEventException("an event needs at least one topic");
        }
        topics = List.copyOf(new LinkedHashSet<>(topics.stream()
                .map(topic -> Fields.name("topic", topic, InvalidEventException::new))
                .toList()));
        type = type == null ? DEFAULT_TYPE : Fields.name("type", type, InvalidEventException::new);
        if (data == null) {
            throw new InvalidEventException("data must not be null (use \"\" for an empty payload)");
        }
        Fields.text("data", data, InvalidEventException::new);
        if (key != null) {
            Fields.name("id", key, InvalidEventException::new);
        }
        if (retry != null && (retry.isNegative() || retry.compareTo(dev.herald.core.sse.SseEncoder.MAX_RETRY) > 0)) {
            throw new InvalidEventException("retry must be between 0 and " + Long.MAX_VALUE + " ms");
        }
        audience = audience == null ? Set.of() : Set.copyOf(audience.stream()
                .map(user -> Fields.name("user id", user, InvalidEventException::new))
                .toList());
        priority = priority == null ? Priority.NORMAL : priority;
    }

    /** Starts a publication to one or more topics. */
    public static Builder to(String... topics) {
        return new Builder().topics(Arrays.asList(topics));
    }

    /** Starts an empty publication; set at least one topic and the data. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link Publication}; every check happens in {@link #build()}. */
    public static final class Builder {
        private final List<String> topics = new ArrayList<>();
        private String type;
        private String data = "";
        private String key;
        private Duration retry;
        private boolean privateEvent;
        private final Set<String> audience = new LinkedHashSet<>();
        private Priority priority = Priority.NORMAL;

        private Builder() {
        }

        public Builder topics(List<String> values) {
            topics.addAll(values);
            return this;
        }

        public Builder topic(String value) {
            topics.add(value);
            return this;
        }

        public Builder type(String value) {
            type = value;
            return this;
        }

        public Builder data(String value) {
            data = value;
            return this;
        }

        public Builder key(String value) {
            key = value;
            return this;
        }

        public Builder retry(Duration value) {
            retry = value;
            return this;
        }

        public Builder privateEvent(boolean value) {
            privateEvent = value;
            return this;
        }

        /** Restricts delivery to connections of these users. */
        public Builder audience(String... users) {
            audience.addAll(Arrays.asList(users));
            return this;
        }

        public Builder audience(Iterable<String> users) {
            users.forEach(audience::add);
            return this;
        }

        public Builder priority(Priority value) {
            priority = Objects.requireNonNull(value, "priority");
            return this;
        }

        public Publication build() {
            return new Publication(topics, type, data, key, retry, privateEvent, audience, priority);
        }
    }
}
