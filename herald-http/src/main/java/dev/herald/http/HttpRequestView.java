package dev.herald.http;

import java.util.List;

/**
 * What Herald reads from an HTTP request, whatever the server: servlet containers and Netty both
 * adapt their request to this view. Implementations are read on the request's own thread, or on
 * the thread authentication runs on; they hold the request's parts, not the connection.
 */
public interface HttpRequestView {

    /** The method, upper case. */
    String method();

    /** The path, without the query. */
    String path();

    /**
     * The path as the client sent it, percent-escapes kept: for paths whose segments are escaped
     * values (Mercure's subscriptions API), which decoding would split at an escaped {@code /}.
     * By default the {@link #path()}.
     */
    default String rawPath() {
        return path();
    }

    /** The first value of a header (case-insensitive name), or {@code null}. */
    String header(String name);

    /** Every value of a query parameter, in order; empty if absent. */
    List<String> parameters(String name);

    /** The first value of a query parameter, or {@code null}. */
    default String parameter(String name) {
        List<String> values = parameters(name);
        return values.isEmpty() ? null : values.getFirst();
    }

    /** The value of a cookie the request carries, or {@code null}. */
    String cookie(String name);

    /**
     * The client's IP address as text: the peer's, or, when the peer is a proxy the server trusts,
     * the client it names ({@code X-Forwarded-For}); {@code null} if unknown.
     */
    String remoteAddress();
}
