package dev.herald.core;

/** A publication's data exceeds the hub's configured maximum size. Nothing was stored. */
public final class EventTooLargeException extends InvalidEventException {

    private final long size;
    private final long limit;

    public EventTooLargeException(long size, long limit) {
        super("event data is " + size + " bytes; the limit is " + limit + " bytes");
        this.size = size;
        this.limit = limit;
    }

    /** The size of the refused data, in UTF-8 bytes. */
    public long size() {
        return size;
    }

    /** The configured limit, in UTF-8 bytes. */
    public long limit() {
        return limit;
    }
}
