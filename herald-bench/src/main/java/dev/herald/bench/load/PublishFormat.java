package dev.herald.bench.load;

import java.nio.charset.StandardCharsets;

/** How a target wants an event published. */
public enum PublishFormat {
    /** Herald's {@code POST /events} with {@code {"topic": ..., "data": ...}}. */
    HERALD_JSON,
    /** The data as the raw request body, the topic in the URL (Nchan, the hand-written server). */
    RAW;

    byte[] body(String topic, String data) {
        String body = this == HERALD_JSON
                ? "{\"topic\":\"" + topic + "\",\"data\":\"" + data + "\"}"
                : data;
        return body.getBytes(StandardCharsets.US_ASCII);
    }

    String contentType() {
        return this == HERALD_JSON ? "application/json" : "text/plain";
    }
}
