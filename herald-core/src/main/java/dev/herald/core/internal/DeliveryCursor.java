package dev.herald.core.internal;

import java.util.Arrays;

/**
 * The writer's running {@link Cursor}: what this connection's client has been sent. Not
 * thread-safe: owned by the connection's writer.
 */
final class DeliveryCursor {

    private long position;
    private long[] extras = new long[0];

    DeliveryCursor(Cursor start) {
        this.position = start.position();
        this.extras = start.extras();
    }

    long position() {
        return position;
    }

    int extraCount() {
        return extras.length;
    }

    boolean covers(long id) {
        return id <= position || Arrays.binarySearch(extras, id) >= 0;
    }

    /** Every event up to {@code id} is now delivered or irrelevant (replay reads in order). */
    void advanceTo(long id) {
        if (id > position) {
            position = id;
            prune();
        }
    }

    /**
     * The event {@code id} was written; {@code nextPending} is the smallest event id still waiting
     * to be written to this connection ({@link Long#MAX_VALUE} if none). Events reach a connection
     * in id order, so every event below {@code nextPending} that is not waiting was written.
     */
    void delivered(long id, long nextPending) {
        if (covers(id)) {
            return;
        }
        long highest = Math.max(id, extras.length == 0 ? id : extras[extras.length - 1]);
        long contiguous = Math.min(highest, nextPending - 1);
        if (contiguous >= id) {
            position = Math.max(position, contiguous);
            prune();
            if (id > position) {
                insertExtra(id);
            }
        } else {
            insertExtra(id);
        }
    }

    /** The cursor's wire form for the frame just written. */
    String format() {
        return Cursor.of(position, extras).format();
    }

    /** Whether the wire form is the plain id of the given event. */
    boolean isPlain(long id) {
        return extras.length == 0 && position == id;
    }

    private void insertExtra(long id) {
        int at = Arrays.binarySearch(extras, id);
        if (at >= 0) {
            return;
        }
        int insert = -at - 1;
        long[] grown = new long[extras.length + 1];
        System.arraycopy(extras, 0, grown, 0, insert);
        grown[insert] = id;
        System.arraycopy(extras, insert, grown, insert + 1, extras.length - insert);
        extras = grown;
    }

    private void prune() {
        int keep = 0;
        while (keep < extras.length && extras[keep] <= position) {
            keep++;
        }
        if (keep > 0) {
            extras = Arrays.copyOfRange(extras, keep, extras.length);
        }
    }
}
