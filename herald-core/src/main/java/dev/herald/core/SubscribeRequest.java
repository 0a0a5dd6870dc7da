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
 * @param sinceLastDelivered with no {@code lastEventId}: start after the last event delivered to any
 *                    connection of the subscriber's user (the hub's {@link DeliveryCursors}), so the
 *                    same user on a new device gets what it has not been delivered yet. Needs an
 *                    identified user. A {@code lastEventId} takes precedence (a browser reconnecting
 *                    to the same URL sends one)
 * @param idFormat    how the stream writes event ids: Herald's cursors ({@code null} means that), or
 *                    each event's own id as Mercure does. A {@code lastEventId} of either form, or a
 *                    publisher's id of a retained event, resumes either; with {@link IdFormat#MERCURE}
 *                    an id the hub does not know, or {@code earliest}, replays all it retains
 */
public record SubscribeRequest(List<TopicSelector> topics, Subscriber subscriber, String clientId, String lastEventId,
        boolean sinceLastDelivered, IdFormat idFormat) {

    public SubscribeRequest {
        if (topics == null || topics.isEmpty()) {
            throw new InvalidSubscriptionException("a subscription needs at least one topic");
        }
        topics = List.copyOf(new LinkedHashSet<>(topics));
        subscriber = Objects.requireNonNull(subscriber, "subscriber");
        if (clientId != null) {
            Fields.name("client id", clientId, InvalidSubscriptionException::new);
        }
        if (lastEventId != null && lastEventId.isEmpty()) {
            lastEventId = null;
        }
        if (sinceLastDelivered && subscriber.userId() == null) {
            throw new InvalidSubscriptionException("resuming from the last delivered event needs an identified user");
        }
        idFormat = idFormat == null ? IdFormat.CURSOR : idFormat;
    }

    /** A request for a stream with Herald's ids ({@link IdFormat#CURSOR}). */
    public SubscribeRequest(List<TopicSelector> topics, Subscriber subscriber, String clientId, String lastEventId,
            boolean sinceLastDelivered) {
        this(topics, subscriber, clientId, lastEventId, sinceLastDelivered, IdFormat.CURSOR);
    }

    /** A request that does not resume from the user's delivery cursor. */
    public SubscribeRequest(List<TopicSelector> topics, Subscriber subscriber, String clientId, String lastEventId) {
        this(topics, subscriber, clientId, lastEventId, false);
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
        private boolean sinceLastDelivered;
        private IdFormat idFormat = IdFormat.CURSOR;

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

        /** Starts after the last event delivered to the user, when there is no Last-Event-ID. */
        public Builder sinceLastDelivered(boolean value) {
            sinceLastDelivered = value;
            return this;
        }

        /** How the stream writes ids; Herald's cursors by default. */
        public Builder idFormat(IdFormat value) {
            idFormat = value;
            return this;
        }

        public SubscribeRequest build() {
            return new SubscribeRequest(topics, subscriber, clientId, lastEventId, sinceLastDelivered, idFormat);
        }
    }
}
