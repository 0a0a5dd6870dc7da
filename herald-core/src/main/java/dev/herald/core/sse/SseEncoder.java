package dev.herald.core.sse;

import dev.herald.core.InvalidEventException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The one place Herald writes the {@code text/event-stream} format (WHATWG HTML, "Server-sent
 * events"). Every frame is built here and every field is checked here: nothing else concatenates
 * {@code "data: "} strings.
 *
 * <ul>
 *   <li>Data of any shape is split into one {@code data:} line per line; CR, LF and CRLF all end a
 *       line (a browser hands the listener LF line breaks).</li>
 *   <li>{@code id} and {@code event} values may not contain CR, LF or NUL: a browser would read
 *       them as the end of the field, or ignore the id.</li>
 *   <li>{@code retry} is a non-negative number of milliseconds, written as digits only.</li>
 *   <li>The {@code event:} line is left out for the default type {@code message}.</li>
 * </ul>
 *
 * <p>All methods are pure and thread-safe.
 */
public final class SseEncoder {

    /** The longest retry that is a whole number of milliseconds in a {@code long}. */
    public static final Duration MAX_RETRY = Duration.ofMillis(Long.MAX_VALUE);

    private static final String DEFAULT_TYPE = "message";

    private SseEncoder() {
    }

    /**
     * Encodes one event: its {@code id:} line first (if any), then its body.
     *
     * @param id    the id, or {@code null} for none
     * @param type  the event type, or {@code null} for {@code message}
     * @param data  the payload
     * @param retry the reconnection delay, or {@code null}
     * @throws InvalidEventException if a field cannot be written
     */
    public static byte[] event(String id, String type, String data, Duration retry) {
        StringBuilder out = new StringBuilder(data.length() + 64);
        if (id != null) {
            appendIdLine(out, id);
        }
        appendBody(out, type, data, retry);
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The {@code id:} line alone, for a frame whose body was encoded without one. */
    public static byte[] idLine(String id) {
        StringBuilder out = new StringBuilder(id.length() + 5);
        appendIdLine(out, id);
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * An event of its {@code id:} line alone: a client takes the id as its last event ID and, with
     * no data, fires no event.
     */
    public static byte[] idOnly(String id) {
        StringBuilder out = new StringBuilder(id.length() + 6);
        appendIdLine(out, id);
        out.append('\n');
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The length in bytes of {@link #idLine(String)} for an ASCII id. */
    public static int idLineLength(String asciiId) {
        return asciiId.length() + 5;
    }

    /** A comment frame ({@code : text}): ignored by clients, keeps the stream alive. */
    public static byte[] comment(String text) {
        checkNoLineBreak("comment", text, false);
        return (": " + text + "\n\n").getBytes(StandardCharsets.UTF_8);
    }

    /** A frame with only a {@code retry:} field: sets the client's reconnection delay. */
    public static byte[] retry(Duration retry) {
        return ("retry: " + millis(retry) + "\n\n").getBytes(StandardCharsets.UTF_8);
    }

    private static void appendIdLine(StringBuilder out, String id) {
        checkNoLineBreak("id", id, true);
        out.append("id: ").append(id).append('\n');
    }

    private static void appendBody(StringBuilder out, String type, String data, Duration retry) {
        if (type != null && !type.equals(DEFAULT_TYPE)) {
            if (type.isEmpty()) {
                throw new InvalidEventException("event type must not be empty");
            }
            checkNoLineBreak("event type", type, true);
            out.append("event: ").append(type).append('\n');
        }
        if (retry != null) {
            out.append("retry: ").append(millis(retry)).append('\n');
        }
        if (data == null) {
            throw new InvalidEventException("data must not be null");
        }
        int start = 0;
        int length = data.length();
        for (int i = 0; i < length; i++) {
            char c = data.charAt(i);
            if (c == '\n' || c == '\r') {
                out.append("data: ").append(data, start, i).append('\n');
                if (c == '\r' && i + 1 < length && data.charAt(i + 1) == '\n') {
                    i++;
                }
                start = i + 1;
            }
        }
        out.append("data: ").append(data, start, length).append("\n\n");
    }

    private static long millis(Duration retry) {
        if (retry.isNegative()) {
            throw new InvalidEventException("retry must not be negative");
        }
        if (retry.compareTo(MAX_RETRY) > 0) {
            throw new InvalidEventException("retry must not exceed " + MAX_RETRY.toMillis() + " ms");
        }
        return retry.toMillis();
    }

    private static void checkNoLineBreak(String field, String value, boolean nulToo) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n' || (nulToo && c == '\0')) {
                throw new InvalidEventException(field + " must not contain CR, LF or NUL");
            }
        }
    }

    /** The size of the text in UTF-8, counted without encoding it (for valid Unicode: Herald refuses unpaired surrogates). */
    public static long utf8Length(String text) {
        long bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }
}
