package dev.herald.bench.load;

import java.nio.file.Path;

/**
 * How subscribers reach the server. The publisher always speaks HTTP/1.1, over TLS when its URL is
 * {@code https}.
 *
 * @param protocol             HTTP/1.1 or HTTP/2, in clear or over TLS
 * @param streamsPerConnection subscriber streams multiplexed on one HTTP/2 connection (subscriber
 *                             {@code i} on connection {@code i / streamsPerConnection}); 1 over
 *                             HTTP/1.1, which carries one
 * @param http2Window          the flow-control window, in bytes, each HTTP/2 stream grants the
 *                             server ({@code SETTINGS_INITIAL_WINDOW_SIZE}); the connection's
 *                             window is this times {@code streamsPerConnection}, so that no stream
 *                             waits for its siblings' window
 * @param certificate          the server's certificate (PEM), the one the load generator trusts
 *                             over TLS; {@code null} in clear
 */
public record Transport(Protocol protocol, int streamsPerConnection, int http2Window, Path certificate) {

    /**
     * 1 MiB per stream: about 10,000 of this benchmark's events of 64 bytes of data, 10 s of one
     * stream at 1,000 events/s, so flow control never paces a stream that is read, and a stream
     * that is not read stops at about what one HTTP/1.1 connection lets the kernel hold for it
     * (64 KB of server send buffer and up to a few MB of receive buffer on loopback). HTTP/2's
     * default, 65,535 bytes for each stream and for the whole connection, would let a connection
     * of 100 streams have only 650 bytes (6 events) per stream in flight.
     */
    public static final int DEFAULT_HTTP2_WINDOW = 1 << 20;

    /** HTTP/1.1 in clear, a connection per subscriber: what every target speaks. */
    public static final Transport HTTP1 = new Transport(Protocol.H1, 1, DEFAULT_HTTP2_WINDOW, null);

    public Transport {
        if (!protocol.http2()) {
            streamsPerConnection = 1;
        }
        if (streamsPerConnection < 1) {
            throw new IllegalArgumentException("streams per connection must be at least 1: " + streamsPerConnection);
        }
        if (http2Window < 65_535 || (long) http2Window * streamsPerConnection > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("an HTTP/2 window from 65,535 bytes, at most 2^31-1 per connection: " + http2Window);
        }
        if (protocol.tls() && certificate == null) {
            throw new IllegalArgumentException(protocol.label() + " needs the server's certificate");
        }
    }

    /** The window of an HTTP/2 connection: every stream's, so none waits for its siblings'. */
    int connectionWindow() {
        return http2Window * streamsPerConnection;
    }
}
