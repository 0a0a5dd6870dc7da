package dev.herald.netty;

import dev.herald.core.Connection;
import dev.herald.core.SubscribeRequest;
import dev.herald.http.Access;
import dev.herald.http.HttpRequestView;

/**
 * An SSE endpoint of the application's own, served like {@code GET /events}: the caller is
 * authenticated the same way, the route decides the subscription from the request and the
 * caller's {@link Access}, and may greet the new connection.
 */
public interface StreamRoute {

    /**
     * The subscription for this request. Throw a {@code HeraldException} to refuse it (an
     * {@link dev.herald.http.AccessDeniedException} when the caller may not act for the user the
     * request names: see {@link Access#mayActAs}). Called off the event loop when authentication
     * may block, so it may block too.
     */
    SubscribeRequest subscription(HttpRequestView request, Access access);

    /** Called on the event loop once the stream has started (for example, to send a first message); must not block. */
    default void opened(Connection connection, HttpRequestView request) {
    }
}
