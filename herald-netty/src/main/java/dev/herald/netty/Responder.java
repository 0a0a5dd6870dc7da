package dev.herald.netty;

import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpRequest;

/**
 * Answers plain requests that need no body (pages, health, metrics) on a
 * {@link HeraldNettyServer}: return a response, or {@code null} to let the next handler try. Runs
 * on the channel's event loop, so it must not block, unless it says that answering a path may
 * ({@link #mayBlock}): then the server asks it on a virtual thread.
 */
@FunctionalInterface
public interface Responder {

    /**
     * @param request the request (its body, if any, is discarded)
     * @param path    the request's path, decoded, without the query
     */
    FullHttpResponse respond(HttpRequest request, String path);

    /** Whether answering this path may block (a health check that asks a database); false by default. */
    default boolean mayBlock(String path) {
        return false;
    }
}
