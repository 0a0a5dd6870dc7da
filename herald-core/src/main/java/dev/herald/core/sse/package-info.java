/**
 * The SSE wire format. {@link dev.herald.core.sse.SseEncoder} is the only writer of
 * {@code text/event-stream} bytes in Herald.
 */
package dev.herald.core.sse;
