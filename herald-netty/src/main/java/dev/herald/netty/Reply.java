package dev.herald.netty;

import dev.herald.core.Connection;
import dev.herald.http.HttpRequestView;
import io.netty.handler.codec.http.FullHttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The answer to one request, made by the {@link Router} and written by the {@link ExchangeHandler}
 * in request order. Plain values: nothing here holds a Netty buffer until it is written, so an
 * answer that is never written (its connection closed) leaks nothing.
 */
sealed interface Reply {

    /** A complete response with a body. */
    record Full(int status, String contentType, byte[] body, Map<String, String> headers) implements Reply {

        static Full json(int status, String json) {
            return new Full(status, "application/json", json.getBytes(StandardCharsets.UTF_8), Map.of());
        }
    }

    /** A response an application's {@link Responder} built; released if it is never written. */
    record Prebuilt(FullHttpResponse response) implements Reply {
    }

    /**
     * A stream: the response head, then the hub writes events until the stream ends. Terminal: it
     * takes over the connection, and nothing pipelined behind it is answered.
     *
     * @param connection the hub's connection, opened and not yet started
     * @param request    the request, for the route's greeting
     * @param opened     what to do once it started, or {@code null}
     */
    record Stream(Connection connection, HttpRequestView request, BiConsumer<Connection, HttpRequestView> opened) implements Reply {
    }
}
