package dev.herald.core;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;

/**
 * What a transport asks of {@link Hub#open(SubscribeRequest)}.
 *
 * @param topics      the selectors; at least one
 * @param subscriber  who is subscribing
 * @param clientId    an optional id the client chose for this stream: a new connection with the
 *                    same client id (and the same user) replaces the older one; {@code null} if none
 * @param lastEventId the raw {@code Last-Event-ID} the client sent, or {@code null} for live events only
 */
public record SubscribeRequest(List<TopicSelector> topics, Subscriber subscriber, String clientId, String lastEventId) {

    /** Most selectors one subscription may hold. */
    public static final int MAX_TOPICS = 64;

    public SubscribeRequest {
        if (topics == null || topics.isEmpty()) {
            throw new InvalidSubscriptionException("a subscription needs at least one topic");
        }
        topics = List.copyOf(new LinkedHashSet<>(topics));
        if (topics.size() > MAX_TOPICS) {
            throw new InvalidSubscriptionException("a subscription may select at most " + MAX_TOPICS + " topics");
        }
        subscriber = Objects.requireNonNull(subscriber, "subscriber");
        if (clientId != null) {
            Fields.name("client id", clientId, InvalidSubscriptionException::new);
        }
        if (lastEventId != null && lastEventId.isEmpty()) {
            lastEventId = null;
        }
    }

    /** Starts a request for the given selectors, parsed with {@link TopicSelector#parse(String)}. */
    public static Builder topics(String... selectors) {
        Builder builder = new Builder();
        for (String selector : selectors) {
            builder.topic(selector);
        }
        return builder;
    }

    /** Starts a request with no selectors yet. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link SubscribeRequest}. */
    public static final class Builder {
        private final List<TopicSelector> topics = new ArrayList<>();
        private Subscriber subscriber = Subscriber.anonymous();
        private String clientId;
        private String lastEventId;

        private Builder() {
        }

        public Builder topic(String selector) {
            topics.add(TopicSelector.parse(selector));
            return this;
        }

        public Builder topic(TopicSelector selector) {
            topics.add(selector);
            return this;
        }

        public Builder subscriber(Subscriber value) {
            subscriber = value;
            return this;
        }

        public Builder clientId(String value) {
            clientId = value;
            return this;
        }

        public Builder lastEventId(String value) {
            lastEventId = value;
            return this;
        }

        public SubscribeRequest build() {
            return new SubscribeRequest(topics, subscriber, clientId, lastEventId);
        }
    }
}
