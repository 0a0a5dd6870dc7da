package dev.herald.core.internal;

import dev.herald.core.Priority;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongPredicate;

/**
 * A connection's outgoing frames: one FIFO ring per priority, each frame stamped with its arrival
 * order. Not thread-safe: the owning connection guards it with its lock. Rings start empty and grow
 * on demand, so an idle connection holds no buffer.
 */
final class FrameQueue {

    private final Ring[] rings = new Ring[Priority.values().length];
    private long arrivals;
    private int size;
    private long bytes;

    int size() {
        return size;
    }

    /** The bytes of every queued frame. */
    long bytes() {
        return bytes;
    }

    void add(Frame frame) {
        int level = frame.priority().ordinal();
        Ring ring = rings[level];
        if (ring == null) {
            ring = rings[level] = new Ring();
        }
        ring.add(frame, arrivals++);
        size++;
        bytes += frame.bytes().length;
    }

    void clear() {
        for (int i = 0; i < rings.length; i++) {
            rings[i] = null;
        }
        size = 0;
        bytes = 0;
    }

    /**
     * Takes frames for one write: at least one, then more until {@code maxBytes} would be exceeded.
     * Higher priorities go first, but at most {@code maxOvertakes} frames may leave ahead of an
     * older frame; after that, and always when it is zero, frames leave in arrival order. Event
     * frames whose id {@code alreadySent} accepts are dropped on the way.
     *
     * @return the frames, empty if the queue had nothing left to send
     */
    List<Frame> take(int maxBytes, int maxOvertakes, LongPredicate alreadySent) {
        List<Frame> batch = new ArrayList<>(Math.min(size, 64));
        long bytes = 0;
        int overtakes = 0;
        while (size > 0) {
            Ring oldest = oldest();
            Ring ring = oldest;
            if (overtakes < maxOvertakes) {
                ring = firstNonEmpty();
            }
            Frame next = ring.peek();
            if (next.eventId() != 0 && alreadySent.test(next.eventId())) {
                ring.poll();
                size--;
                this.bytes -= next.bytes().length;
                continue;
            }
            if (!batch.isEmpty() && bytes + next.bytes().length > maxBytes) {
                break;
            }
            if (ring != oldest) {
                overtakes++;
            }
            ring.poll();
            size--;
            this.bytes -= next.bytes().length;
            bytes += next.bytes().length;
            batch.add(next);
        }
        return batch;
    }

    /** The smallest event id still queued that {@code alreadySent} does not accept, or {@link Long#MAX_VALUE}. */
    long minEventId(LongPredicate alreadySent) {
        long min = Long.MAX_VALUE;
        for (Ring ring : rings) {
            if (ring != null) {
                min = Math.min(min, ring.firstEventId(alreadySent));
            }
        }
        return min;
    }

    private Ring firstNonEmpty() {
        for (Ring ring : rings) {
            if (ring != null && ring.size > 0) {
                return ring;
            }
        }
        throw new IllegalStateException("empty");
    }

    private Ring oldest() {
        Ring oldest = null;
        for (Ring ring : rings) {
            if (ring != null && ring.size > 0 && (oldest == null || ring.headArrival() < oldest.headArrival())) {
                oldest = ring;
            }
        }
        return oldest;
    }

    /** A growable circular buffer of frames and their arrival numbers. */
    private static final class Ring {
        private Frame[] frames = new Frame[4];
        private long[] order = new long[4];
        private int head;
        private int size;

        void add(Frame frame, long arrival) {
            if (size == frames.length) {
                grow();
            }
            int at = (head + size) % frames.length;
            frames[at] = frame;
            order[at] = arrival;
            size++;
        }

        Frame peek() {
            return frames[head];
        }

        long headArrival() {
            return order[head];
        }

        void poll() {
            frames[head] = null;
            head = (head + 1) % frames.length;
            size--;
        }

        long firstEventId(LongPredicate skip) {
            for (int i = 0; i < size; i++) {
                long id = frames[(head + i) % frames.length].eventId();
                if (id != 0 && !skip.test(id)) {
                    return id;
                }
            }
            return Long.MAX_VALUE;
        }

        private void grow() {
            Frame[] newFrames = new Frame[frames.length * 2];
            long[] newOrder = new long[order.length * 2];
            for (int i = 0; i < size; i++) {
                newFrames[i] = frames[(head + i) % frames.length];
                newOrder[i] = order[(head + i) % frames.length];
            }
            frames = newFrames;
            order = newOrder;
            head = 0;
        }
    }
}
