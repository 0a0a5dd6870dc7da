package dev.herald.netty;

import java.time.Duration;
import java.util.Objects;

/**
 * What one client may ask of the server's connections, against abuse and mistakes. Every refusal
 * is a problem response (or, for a connection that never sends a request, a close). Immutable.
 *
 * @param maxRequestLineBytes  the longest request line (method, URL, version); longer gets 414
 * @param maxHeaderBytes       the most bytes of header fields; more gets 431
 * @param maxQueryParameters   the most query parameters one request may carry; more gets 400
 * @param requestTimeout       how long a request's head and body may take to arrive, from its
 *                             first byte (or from the connection's start); slower gets 408 and
 *                             the connection is closed: a request dribbled a byte at a time
 *                             holds a connection no longer than this
 * @param idleTimeout          how long a keep-alive connection may sit between requests; then it
 *                             is closed. Streams are not idle: heartbeats keep them
 * @param maxConnectionsPerAddress TCP connections one client address may hold (trusted proxies
 *                             excepted); the next gets 429 on its first request and is closed
 * @param maxConcurrentStreams HTTP/2 streams one connection may have open at once (what the
 *                             server announces in its SETTINGS); each stream is a request or an
 *                             event stream
 */
public record ServerLimits(int maxRequestLineBytes, int maxHeaderBytes, int maxQueryParameters, Duration requestTimeout,
        Duration idleTimeout, int maxConnectionsPerAddress, int maxConcurrentStreams) {

    public ServerLimits {
        if (maxRequestLineBytes < 256 || maxHeaderBytes < 1024) {
            throw new IllegalArgumentException("the request line needs at least 256 bytes and the headers 1024");
        }
        if (maxQueryParameters < 1 || maxConnectionsPerAddress < 1 || maxConcurrentStreams < 1) {
            throw new IllegalArgumentException("limits must be at least 1");
        }
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        if (requestTimeout.isNegative() || requestTimeout.isZero() || idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("timeouts must be positive");
        }
    }

    /**
     * 8 KiB request lines, 16 KiB of headers, 256 query parameters, 10 s per request, 60 s idle,
     * 1,000 connections per address, 256 HTTP/2 streams per connection.
     */
    public static ServerLimits defaults() {
        return new ServerLimits(8 * 1024, 16 * 1024, 256, Duration.ofSeconds(10), Duration.ofSeconds(60), 1000, 256);
    }

    public ServerLimits withRequestTimeout(Duration value) {
        return new ServerLimits(maxRequestLineBytes, maxHeaderBytes, maxQueryParameters, value, idleTimeout, maxConnectionsPerAddress,
                maxConcurrentStreams);
    }

    public ServerLimits withIdleTimeout(Duration value) {
        return new ServerLimits(maxRequestLineBytes, maxHeaderBytes, maxQueryParameters, requestTimeout, value, maxConnectionsPerAddress,
                maxConcurrentStreams);
    }

    public ServerLimits withMaxConnectionsPerAddress(int value) {
        return new ServerLimits(maxRequestLineBytes, maxHeaderBytes, maxQueryParameters, requestTimeout, idleTimeout, value,
                maxConcurrentStreams);
    }

    public ServerLimits withMaxConcurrentStreams(int value) {
        return new ServerLimits(maxRequestLineBytes, maxHeaderBytes, maxQueryParameters, requestTimeout, idleTimeout,
                maxConnectionsPerAddress, value);
    }
}
