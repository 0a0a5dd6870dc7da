package dev.herald.redis;

import dev.herald.core.EventLogException;

/**
 * Event ids and Redis stream ids. A stream id {@code <ms>-<seq>} becomes the event id
 * {@code ms * 1,000,000 + seq}: one number clients can hold in {@code Last-Event-ID}, ordered as the
 * stream is, readable by eye (the first thirteen digits are the append time in milliseconds), and
 * within a {@code long} until the year 2262. A stream would need a million appends in one
 * millisecond to overflow the sequence part; one Redis cannot do that.
 */
final class StreamIds {

    static final long PER_MILLISECOND = 1_000_000L;

    private StreamIds() {
    }

    /** The event id of a stream id. */
    static long toEventId(String streamId) {
        int dash = streamId.indexOf('-');
        if (dash <= 0) {
            throw new EventLogException("not a stream id: " + streamId);
        }
        long ms = Long.parseLong(streamId, 0, dash, 10);
        long seq = Long.parseLong(streamId, dash + 1, streamId.length(), 10);
        if (seq >= PER_MILLISECOND || ms > Long.MAX_VALUE / PER_MILLISECOND - 1) {
            throw new EventLogException("stream id " + streamId + " does not fit an event id");
        }
        return ms * PER_MILLISECOND + seq;
    }

    /**
     * The event id of a stream id Herald may not have written (the stream's last id): a sequence
     * of a million or more counts as 999,999.
     */
    static long toEventIdSaturated(String streamId) {
        int dash = streamId.indexOf('-');
        boolean fits = streamId.length() - dash - 1 <= 6;
        return toEventId(fits ? streamId : streamId.substring(0, dash) + "-999999");
    }

    /** The stream id of an event id (or of any position between event ids). */
    static String toStreamId(long eventId) {
        if (eventId <= 0) {
            return "0-0";
        }
        return (eventId / PER_MILLISECOND) + "-" + (eventId % PER_MILLISECOND);
    }

    /** The time part of an event id, in epoch milliseconds. */
    static long millis(long eventId) {
        return eventId / PER_MILLISECOND;
    }
}
