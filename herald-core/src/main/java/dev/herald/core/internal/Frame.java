package dev.herald.core.internal;

import dev.herald.core.Event;
import dev.herald.core.EventIds;
import dev.herald.core.IdFormat;
import dev.herald.core.Priority;
import dev.herald.core.SseMessage;
import dev.herald.core.sse.SseEncoder;

/**
 * Bytes ready for the wire. An event's frame is encoded once and shared by every connection it goes
 * to; it starts with its {@code id:} line, so a connection that must send a different cursor writes
 * its own id line and then only the body ({@link #bodyOffset()} onwards).
 */
public final class Frame {

    private final byte[] bytes;
    private final int bodyOffset;
    private final Event event;
    /** The event's Mercure encoding, made when a Mercure stream first needs it. */
    private volatile byte[] mercure;

    private Frame(byte[] bytes, int bodyOffset, Event event) {
        this.bytes = bytes;
        this.bodyOffset = bodyOffset;
        this.event = event;
    }

    /** Encodes a stored event, with its own id as the {@code id:} line. */
    public static Frame of(Event event) {
        String id = Long.toString(event.id());
        byte[] bytes = SseEncoder.event(id, event.type(), event.data(), event.retry());
        return new Frame(bytes, SseEncoder.idLineLength(id), event);
    }

    /** Encodes a message for one connection: no id, not an event of the log. */
    public static Frame of(SseMessage message) {
        return new Frame(SseEncoder.event(null, message.type(), message.data(), message.retry()), 0, null);
    }

    /** Wraps bytes that are not an event (comments, retry lines). */
    public static Frame raw(byte[] bytes) {
        return new Frame(bytes, 0, null);
    }

    public byte[] bytes() {
        return bytes;
    }

    /**
     * The frame as a stream of this id format writes it: with Herald's cursor ({@link #bytes()}),
     * or with the event's own Mercure id (its publisher's id, or its {@link EventIds#urn URN}),
     * encoded once on first use and then shared.
     */
    public byte[] bytes(IdFormat format) {
        if (format == IdFormat.CURSOR || event == null) {
            return bytes;
        }
        byte[] encoded = mercure;
        if (encoded == null) {
            encoded = SseEncoder.event(EventIds.mercureId(event), event.type(), event.data(), event.retry());
            mercure = encoded;
        }
        return encoded;
    }

    public int bodyOffset() {
        return bodyOffset;
    }

    /** The stored event this frame carries, or {@code null} for messages and comments. */
    public Event event() {
        return event;
    }

    /** The event's id, or zero if the frame carries no stored event. */
    public long eventId() {
        return event == null ? 0 : event.id();
    }

    public Priority priority() {
        return event == null ? Priority.NORMAL : event.priority();
    }
}
