package dev.herald.core;

import java.io.IOException;

/**
 * Where a connection's bytes go: the transport's side of one response stream.
 *
 * <p>Threading: the hub calls these methods from the connection's writer only, never from two
 * threads at once, and never while holding a lock. Writes may block (a servlet output stream) or
 * buffer (a non-blocking channel); a blocked write holds up only this connection.
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
}
