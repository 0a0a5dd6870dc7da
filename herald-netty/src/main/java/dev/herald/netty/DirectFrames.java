package dev.herald.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.util.concurrent.FastThreadLocal;

/**
 * An event's frame in native memory, once per event loop. The hub encodes an event once, into a
 * byte array every subscriber shares; a socket write needs native memory, so each transport would
 * copy the array into a direct buffer of its own for every connection it goes to. Here the first
 * connection on a loop to write a frame copies it, and the loop's other connections write views
 * of that copy (reference counted: the copy is freed once the loop moved on and the last write
 * completed).
 *
 * <p>Off an event loop (a replay written from elsewhere), frames are wrapped as they are and the
 * transport copies them as usual.
 */
final class DirectFrames {

    private static final FastThreadLocal<DirectFrames> LOOP = new FastThreadLocal<>() {
        @Override
        protected DirectFrames initialValue() {
            return new DirectFrames();
        }

        @Override
        protected void onRemoval(DirectFrames frames) {
            frames.forget();
        }
    };

    // The two frames copied last on this loop (a shared frame and, between its writes, a
    // connection's own id line would otherwise keep evicting each other); the older is replaced.
    private final Slot first = new Slot();
    private final Slot second = new Slot();
    private long uses;

    private DirectFrames() {
    }

    /** The frame as a buffer to write on the channel: a view of the loop's copy, or the bytes wrapped. */
    static ByteBuf frame(Channel channel, byte[] bytes, int offset, int length) {
        if (length == 0 || !channel.eventLoop().inEventLoop()) {
            return Unpooled.wrappedBuffer(bytes, offset, length);
        }
        return LOOP.get().view(channel, bytes, offset, length);
    }

    private ByteBuf view(Channel channel, byte[] bytes, int offset, int length) {
        Slot slot = first.holds(bytes, offset, length) ? first : second.holds(bytes, offset, length) ? second : null;
        if (slot == null) {
            slot = first.used <= second.used ? first : second;
            slot.fill(channel, bytes, offset, length);
        }
        slot.used = ++uses;
        return slot.copy.retainedDuplicate();
    }


    private void forget() {
        first.forget();
        second.forget();
    }

    private static final class Slot {
        private byte[] array;
        private int offset;
        private int length;
        private ByteBuf copy;
        private long used;

        boolean holds(byte[] bytes, int offset, int length) {
            return bytes == array && offset == this.offset && length == this.length;
        }

        void fill(Channel channel, byte[] bytes, int offset, int length) {
            forget();
            copy = channel.alloc().directBuffer(length, length).writeBytes(bytes, offset, length);
            array = bytes;
            this.offset = offset;
            this.length = length;
        }

        void forget() {
            if (copy != null) {
                copy.release();
                copy = null;
                array = null;
            }
        }
    }
}
