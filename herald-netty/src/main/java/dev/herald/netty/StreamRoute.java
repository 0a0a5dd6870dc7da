package dev.herald.netty;

import dev.herald.core.Connection;
import dev.herald.core.SubscribeRequest;
import dev.herald.http.HttpRequestView;

/**
 * An SSE endpoint of the application's own, served like {@code GET /events}: the route decides the
 * subscription from the request, and may greet the new connection.
 */
public interface StreamRoute {

    /** The subscription for this request; throw a {@code HeraldException} to refuse it. */
    SubscribeRequest subscription(HttpRequestView request);

    /** Called once the stream has started (for example, to send a first message). */
    default void opened(Connection connection, HttpRequestView request) {
    }
}
