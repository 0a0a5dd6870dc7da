package dev.herald.core;

import java.time.Instant;
import java.util.List;

/**
 * Who is subscribing, as established by the transport's authentication.
 *
 * @param userId        the user's id, or {@code null} for an anonymous subscriber. Events with an
 *                      audience reach only connections of the users named in it, and limits per
 *                      user count connections by this id.
 * @param privateTopics selectors of the topics whose private events this subscriber may receive
 * @param expiresAt     when the credentials this identity rests on expire: the hub ends the stream
 *                      then (the client reconnects with fresh credentials and resumes), or
 *                      {@code null} if they do not expire
 */
public record Subscriber(String userId, List<TopicSelector> privateTopics, Instant expiresAt) {

    private static final Subscriber ANONYMOUS = new Subscriber(null, List.of(), null);

    public Subscriber {
        if (userId != null) {
            Fields.name("user id", userId, InvalidSubscriptionException::new);
        }
        privateTopics = privateTopics == null ? List.of() : List.copyOf(privateTopics);
    }

    /** A subscriber whose identity does not expire. */
    public Subscriber(String userId, List<TopicSelector> privateTopics) {
        this(userId, privateTopics, null);
    }

    /** A subscriber with no identity: receives public events without an audience. */
    public static Subscriber anonymous() {
        return ANONYMOUS;
    }

    /** A known user with no rights to private events beyond those addressed to them. */
    public static Subscriber user(String userId) {
        return new Subscriber(userId, List.of(), null);
    }

    /** Whether this subscriber has an identity. */
    public boolean isAnonymous() {
        return userId == null;
    }

    /**
     * Whether this subscriber may receive the event, judging only the event's audience and private
     * flag (not the topics the connection selected): an event with an audience reaches only the
     * users in it; a private event without an audience reaches only subscribers entitled to private
     * events of one of its topics.
     */
    public boolean mayReceive(Event event) {
        if (!event.audience().isEmpty()) {
            return userId != null && event.audience().contains(userId);
        }
        return !event.privateEvent() || TopicSelector.anyMatches(privateTopics, event.topics());
    }
}
