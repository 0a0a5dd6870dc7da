package dev.herald.core.internal;

import dev.herald.core.InvalidLastEventIdException;
import java.util.Arrays;

/**
 * A resume point as clients hold it in {@code Last-Event-ID}: a log position {@code P}, meaning
 * "every event up to P was delivered (or did not concern me)", plus, rarely, ids above P that were
 * delivered early because of their priority. Written {@code P} or {@code P~a~b} with
 * {@code P < a < b}.
 *
 * <p>Immutable.
 */
public final class Cursor {

    /** Most early-delivered ids a cursor carries; the writer stops reordering before this many. */
    public static final int MAX_EXTRAS = 16;

    private static final long[] NONE = new long[0];

    private final long position;
    private final long[] extras;

    private Cursor(long position, long[] extras) {
        this.position = position;
        this.extras = extras;
    }

    /** A cursor at a plain position. */
    public static Cursor at(long position) {
        return new Cursor(position, NONE);
    }

    static Cursor of(long position, long[] extras) {
        return new Cursor(position, extras.length == 0 ? NONE : extras.clone());
    }

    /**
     * Reads a cursor a client sent back.
     *
     * @throws InvalidLastEventIdException if the text is not a cursor this hub issues
     */
    public static Cursor parse(String text) {
        if (text.length() > 20 * (MAX_EXTRAS + 1) + MAX_EXTRAS) {
            throw invalid(text);
        }
        String[] parts = text.split("~", -1);
        if (parts.length > MAX_EXTRAS + 1) {
            throw invalid(text);
        }
        long[] values = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            values[i] = parseNumber(parts[i], text);
            if (i > 0 && values[i] <= values[i - 1]) {
                throw invalid(text);
            }
        }
        return new Cursor(values[0], parts.length == 1 ? NONE : Arrays.copyOfRange(values, 1, values.length));
    }

    private static long parseNumber(String part, String text) {
        if (part.isEmpty() || part.length() > 19) {
            throw invalid(text);
        }
        for (int i = 0; i < part.length(); i++) {
            char c = part.charAt(i);
            if (c < '0' || c > '9') {
                throw invalid(text);
            }
        }
        try {
            return Long.parseLong(part);
        } catch (NumberFormatException e) {
            throw invalid(text);
        }
    }

    private static InvalidLastEventIdException invalid(String text) {
        String shown = text.length() > 64 ? text.substring(0, 64) + "..." : text;
        return new InvalidLastEventIdException(
                "Last-Event-ID \"" + shown.replaceAll("\\p{Cntrl}", "?") + "\" is not an event id issued by this hub");
    }

    public long position() {
        return position;
    }

    long[] extras() {
        return extras.clone();
    }

    /** The highest id the cursor names: its position, or its last early-delivered id. */
    public long highest() {
        return extras.length == 0 ? position : extras[extras.length - 1];
    }

    /** Whether the event with this id was already delivered to the holder. */
    public boolean covers(long id) {
        return id <= position || Arrays.binarySearch(extras, id) >= 0;
    }

    /** The text form, as sent in {@code id:} lines. */
    public String format() {
        if (extras.length == 0) {
            return Long.toString(position);
        }
        StringBuilder out = new StringBuilder().append(position);
        for (long extra : extras) {
            out.append('~').append(extra);
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return format();
    }
}
