package dev.herald.netty;

import dev.herald.core.EventSink;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.socket.SocketChannelConfig;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.EOFException;
import java.io.IOException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * A Netty channel as an {@link EventSink}: an HTTP/1.1 connection, whose body is close-delimited
 * (the response has no length and is not chunked; it ends when the connection closes), or an
 * HTTP/2 stream, whose body is DATA frames ended by an empty last one. Frames go out as they are: wrapped, not copied by Herald (an event's frame is one byte array shared by every
 * connection), gathered until {@link #flush()}, and written with one {@code writev} per batch.
 * (Netty's NIO transport still copies heap bytes into a direct buffer per connection as it writes
 * them, at most its high-water mark for a connection that stopped reading.) The
 * writer runs on the channel's event loop once live, and stops while the channel is not writable
 * (its outbound buffer is above the high-water mark).
 *
 * <p>Called by the connection's writer only, one call at a time.
 */
final class NettyEventSink implements EventSink {

    /** How long a graceful close may wait for the client to take the last bytes. */
    private static final long CLOSE_GRACE_SECONDS = 10;

    private final Channel channel;
    private final Executor executor;
    /** Whether bytes go out as HTTP content (an HTTP/2 stream) rather than raw (an HTTP/1.1 connection). */
    private final boolean framed;
    private CompositeByteBuf pending;

    NettyEventSink(Channel channel, Executor executor, boolean framed) {
        this.channel = channel;
        this.executor = executor;
        this.framed = framed;
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        if (!channel.isActive()) {
            throw new EOFException("the connection is closed");
        }
        if (pending == null) {
            pending = Unpooled.compositeBuffer(64);
        }
        pending.addComponent(true, Unpooled.wrappedBuffer(bytes, offset, length));
    }

    @Override
    public void flush() throws IOException {
        if (!channel.isActive()) {
            if (pending != null) {
                pending.release();
                pending = null;
            }
            throw new EOFException("the connection is closed");
        }
        if (pending != null) {
            ByteBuf bytes = pending.numComponents() == 1 ? single(pending) : pending;
            channel.write(framed ? new DefaultHttpContent(bytes) : bytes, channel.voidPromise());
            pending = null;
        }
        channel.flush();
    }

    /** The one component of a composite, without the composite around it. */
    private static ByteBuf single(CompositeByteBuf composite) {
        ByteBuf only = composite.component(0).retain();
        composite.release();
        return only;
    }

    @Override
    public void close() {
        if (pending != null) {
            pending.release();
            pending = null;
        }
        if (channel.isActive()) {
            // The body ends with the connection. A client that is not reading would hold the
            // close back behind its unread bytes: after a grace period, reset it.
            channel.writeAndFlush(framed ? LastHttpContent.EMPTY_LAST_CONTENT : Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            try {
                channel.eventLoop().schedule(this::abort, CLOSE_GRACE_SECONDS, TimeUnit.SECONDS);
            } catch (java.util.concurrent.RejectedExecutionException stopping) {
                // The loop is stopping and closes every channel itself.
            }
        }
    }

    /**
     * Closes the connection at once with a reset, discarding what the kernel still holds for a
     * client that stopped reading: a graceful close would wait behind those bytes, keeping the
     * socket and its buffers until the client finally reads or goes.
     */
    @Override
    public void abort() {
        if (pending != null) {
            pending.release();
            pending = null;
        }
        if (channel.isActive()) {
            if (channel.config() instanceof SocketChannelConfig socket) {
                try {
                    socket.setSoLinger(0);
                } catch (RuntimeException e) {
                    // The socket is closing already; a plain close is all that is left.
                }
            }
            channel.close();
        }
    }

    @Override
    public Executor executor() {
        return executor;
    }

    @Override
    public boolean isWritable() {
        return channel.isWritable();
    }

    @Override
    public Transport transport() {
        return framed ? Transport.HTTP2 : Transport.HTTP1;
    }
}
