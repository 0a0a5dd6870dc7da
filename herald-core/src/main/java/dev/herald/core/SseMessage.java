package dev.herald.core;

import java.time.Duration;

/**
 * A message sent to one connection only, outside the event log: it has no id, is not replayed, and
 * does not move the client's {@code Last-Event-ID}. For greetings and demo streams; use
 * {@link Hub#publish(Publication)} for anything a client must not miss.
 *
 * @param type  the SSE event type
 * @param data  the payload
 * @param retry an optional reconnection delay, or {@code null}
 */
public record SseMessage(String type, String data, Duration retry) {

    public SseMessage {
        type = type == null ? Publication.DEFAULT_TYPE : Fields.name("type", type, InvalidEventException::new);
        if (data == null) {
            throw new InvalidEventException("data must not be null");
        }
        Fields.text("data", data, InvalidEventException::new);
        if (retry != null && (retry.isNegative() || retry.compareTo(dev.herald.core.sse.SseEncoder.MAX_RETRY) > 0)) {
            throw new InvalidEventException("retry must be between 0 and " + Long.MAX_VALUE + " ms");
        }
    }

    /** A message of the given type. */
    public static SseMessage of(String type, String data) {
        return new SseMessage(type, data, null);
    }

    /** The same message, also telling the client how long to wait before reconnecting. */
    public SseMessage withRetry(Duration value) {
        return new SseMessage(type, data, value);
    }
}
