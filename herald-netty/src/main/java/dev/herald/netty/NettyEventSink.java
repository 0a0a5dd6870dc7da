package dev.herald.netty;

import dev.herald.core.EventSink;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.EOFException;
import java.io.IOException;
import java.util.concurrent.Executor;

/**
 * A Netty channel as an {@link EventSink}. The stream's body is close-delimited (the response has
 * no length and is not chunked; it ends when the connection closes), so frames go to the socket
 * as they are: wrapped, not copied (an event's frame is one byte array shared by every
 * connection), gathered until {@link #flush()}, and written with one {@code writev} per batch. The
 * writer runs on the channel's event loop once live, and stops while the channel is not writable
 * (its outbound buffer is above the high-water mark).
 *
 * <p>Called by the connection's writer only, one call at a time.
 */
final class NettyEventSink implements EventSink {

    private final Channel channel;
    private final Executor executor;
    private CompositeByteBuf pending;

    NettyEventSink(Channel channel, Executor executor) {
        this.channel = channel;
        this.executor = executor;
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
            channel.write(pending.numComponents() == 1 ? single(pending) : pending, channel.voidPromise());
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
            // The body ends with the connection.
            channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
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
}
