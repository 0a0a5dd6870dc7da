package dev.herald.core;

import java.io.IOException;
import java.util.concurrent.Executor;

/**
 * Where a connection's bytes go: the transport's side of one response stream.
 *
 * <p>Threading: the hub calls these methods from the connection's writer only, never from two
 * threads at once, and never while holding a lock. Writes may block (a servlet output stream) or
 * buffer (a non-blocking channel); a blocked write holds up only this connection.
 *
 * <p>Non-blocking transports (an event loop per connection) override {@link #executor()} and
 * {@link #isWritable()}: the writer then runs on the transport's own thread once the connection is
 * live, stops taking frames while the transport's buffer is full, and is resumed by
 * {@link Connection#writable()}.
 */
public interface EventSink {

    /** Appends bytes to the response; may buffer them until {@link #flush()}. */
    void write(byte[] bytes, int offset, int length) throws IOException;

    /** Sends everything written so far to the client. */
    void flush() throws IOException;

    /**
     * Ends the response. Called once, after the last write; must not throw. The transport must also
     * tolerate the client having gone already.
     */
    void close();

    /**
     * Ends the response abruptly, dropping whatever is still buffered: the client stopped reading
     * (its queue overflowed, a write stalled) or is gone. Called once, instead of {@link #close()};
     * must not throw. A transport that holds the socket should close it at once (an abortive close
     * where it can), so unsent bytes do not keep kernel memory until the client goes away. By
     * default, {@link #close()}.
     */
    default void abort() {
        close();
    }

    /**
     * Where the writer runs once the connection is live (replay always runs on the hub's own
     * writer threads, since reading history may block): the transport's event loop, or
     * {@code null} for the hub's writer threads. The executor must run tasks one at a time for a
     * given connection and must never block.
     */
    default Executor executor() {
        return null;
    }

    /**
     * Whether the transport takes more bytes now without buffering past its limit. When this turns
     * false the writer stops and leaves frames queued (so a client that stops reading still
     * overflows its bounded queue); the transport calls {@link Connection#writable()} when it can
     * take bytes again. Blocking transports always return true.
     */
    default boolean isWritable() {
        return true;
    }

    /** Which transport this sink belongs to: the hub counts open connections by it, for metrics. */
    default Transport transport() {
        return Transport.OTHER;
    }

    /** The transports connections are counted by, each with the label metrics show. */
    enum Transport {
        /** An HTTP/1.x connection of Herald's Netty server. */
        HTTP1("http1"),
        /** A stream of an HTTP/2 connection of Herald's Netty server, over TLS (h2) or in clear (h2c). */
        HTTP2("http2"),
        /** A servlet container's async response, whatever its protocol. */
        SERVLET("servlet"),
        /** Any other sink. */
        OTHER("other");

        private final String label;

        Transport(String label) {
            this.label = label;
        }

        /** The lowercase name metrics use, such as {@code http2}. */
        public String label() {
            return label;
        }
    }
}
