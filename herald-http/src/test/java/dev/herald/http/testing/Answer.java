package dev.herald.http.testing;

import okhttp3.Headers;
import okhttp3.Protocol;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A complete response as a {@link TransportContract} client received it.
 *
 * @param status   the status code
 * @param headers  the response headers
 * @param body     the body, as UTF-8 text
 * @param protocol the protocol the exchange used
 */
public record Answer(int status, Headers headers, String body, Protocol protocol) {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** The first value of a header, or {@code null}; names are case-insensitive. */
    public String header(String name) {
        return headers.get(name);
    }

    /** The media type of the body, without parameters, lower case; {@code null} without a {@code Content-Type}. */
    public String mediaType() {
        String type = header("Content-Type");
        return type == null ? null : type.split(";", 2)[0].trim().toLowerCase(java.util.Locale.ROOT);
    }

    /** The body parsed as JSON. */
    public JsonNode json() {
        return JSON.readTree(body);
    }

    @Override
    public String toString() {
        return status + " over " + protocol + " " + headers.toMultimap() + " " + body;
    }
}
