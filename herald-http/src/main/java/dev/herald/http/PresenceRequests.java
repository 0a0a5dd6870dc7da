package dev.herald.http;

import dev.herald.core.Presence;

/**
 * The presence API, the same on every transport: {@code GET} the presence path with
 * <ul>
 *   <li>{@code ?topic=T}: {@code {"topic":"T","subscribers":N}}, streams selecting T on every node;</li>
 *   <li>{@code ?user=U}: {@code {"user":"U","connected":true,"connections":N}};</li>
 *   <li>neither: {@code {"nodes":N,"connections":N}}, the cluster's summary.</li>
 * </ul>
 * Asking for both is a {@code 400}. May block on the network (a cluster's presence), so transports
 * on event loops call it from another thread.
 */
public final class PresenceRequests {

    private PresenceRequests() {
    }

    /**
     * The answer's JSON body.
     *
     * @throws InvalidQueryException   (400) for a request naming both a topic and a user, or an empty one
     * @throws dev.herald.core.EventLogException (503) if the cluster cannot be asked
     */
    public static String answer(Presence presence, HttpRequestView request) {
        String topic = request.parameter("topic");
        String user = request.parameter("user");
        if (topic != null && user != null) {
            throw new InvalidQueryException("ask for a topic or for a user, not both");
        }
        if (topic != null) {
            check("topic", topic);
            return "{\"topic\":" + Problem.quoted(topic) + ",\"subscribers\":" + presence.subscribers(topic) + "}";
        }
        if (user != null) {
            check("user", user);
            long connections = presence.connections(user);
            return "{\"user\":" + Problem.quoted(user) + ",\"connected\":" + (connections > 0) + ",\"connections\":"
                    + connections + "}";
        }
        Presence.Summary summary = presence.summary();
        return "{\"nodes\":" + summary.nodes() + ",\"connections\":" + summary.connections() + "}";
    }

    static void check(String what, String value) {
        if (value.isEmpty() || value.length() > 1024 || value.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new InvalidQueryException(what + " must be 1 to 1024 characters without control characters");
        }
    }
}
