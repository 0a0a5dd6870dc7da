package dev.herald.http;

import dev.herald.core.InvalidSubscriptionException;
import dev.herald.core.SubscribeRequest;
import dev.herald.core.Subscriber;
import java.util.List;

/** Reads {@code GET /events} requests: the same rules for every transport. */
public final class Subscriptions {

    /** The request and response header that carries the resume point. */
    public static final String LAST_EVENT_ID = "Last-Event-ID";

    private Subscriptions() {
    }

    /**
     * A subscription from {@code topic} (repeatable), {@code clientId} and the resume point: the
     * Last-Event-ID, or {@code since=last} for "after the last event delivered to my user".
     *
     * @throws InvalidSubscriptionException if there is no topic, a selector is malformed, or
     *                                      {@code since} is not {@code last} or has no user
     */
    public static SubscribeRequest read(HttpRequestView request, Subscriber subscriber) {
        return topics(request, "orders/{id}")
                .subscriber(subscriber)
                .clientId(request.parameter("clientId"))
                .lastEventId(lastEventId(request))
                .sinceLastDelivered(sinceLast(request))
                .build();
    }

    /**
     * A subscription to the request's {@code topic} parameters.
     *
     * @param example a selector to show in the refusal of a request without topics
     * @throws InvalidSubscriptionException without a topic, or for a malformed selector
     */
    static SubscribeRequest.Builder topics(HttpRequestView request, String example) {
        List<String> topics = request.parameters("topic");
        if (topics.isEmpty()) {
            throw new InvalidSubscriptionException("at least one \"topic\" query parameter is required, e.g. ?topic=" + example);
        }
        SubscribeRequest.Builder subscription = SubscribeRequest.builder();
        for (String topic : topics) {
            subscription.topic(topic);
        }
        return subscription;
    }

    private static boolean sinceLast(HttpRequestView request) {
        String since = request.parameter("since");
        if (since == null || since.isEmpty()) {
            return false;
        }
        if (!since.equals("last")) {
            throw new InvalidSubscriptionException("\"since\" accepts one value, \"last\" (after the last event delivered to your user)");
        }
        return true;
    }

    /**
     * The client's resume point: the {@code Last-Event-ID} header (sent by browsers on reconnect)
     * or else the {@code lastEventId} (or Mercure's {@code lastEventID}) query parameter.
     */
    public static String lastEventId(HttpRequestView request) {
        String header = request.header(LAST_EVENT_ID);
        if (header != null && !header.isEmpty()) {
            return header;
        }
        String parameter = request.parameter("lastEventId");
        return parameter != null ? parameter : request.parameter("lastEventID");
    }
}
