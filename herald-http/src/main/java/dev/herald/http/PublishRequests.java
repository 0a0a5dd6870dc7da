package dev.herald.http;

import dev.herald.core.InvalidEventException;
import dev.herald.core.Priority;
import dev.herald.core.Publication;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads the JSON body of {@code POST /events} into a {@link Publication}, with an error message
 * that names the offending field for anything it refuses:
 *
 * <pre>{@code
 * {"topics": ["orders/42"], "type": "order-updated", "data": {"status": "paid"},
 *  "id": "optional publisher key", "retry": 5000, "private": false, "users": ["alice"],
 *  "priority": "high"}
 * }</pre>
 *
 * {@code "topic": "..."} is a shorthand for one topic. {@code data} may be a string (sent as is)
 * or any other JSON value (sent as compact JSON). Unknown fields are refused, so typos do not pass
 * silently. Thread-safe.
 */
public final class PublishRequests {

    private static final Set<String> FIELDS = Set.of("topics", "topic", "type", "data", "id", "retry", "private", "users", "priority");

    private final JsonMapper json = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /** The largest request body worth reading for events of at most this many bytes of data. */
    public static int maxBodyBytes(long maxEventBytes) {
        // JSON escaping can make data up to six times longer (\u0000), plus room for the envelope.
        return (int) Math.min(Integer.MAX_VALUE - 8, maxEventBytes * 6 + 16 * 1024);
    }

    /** Whether a {@code Content-Type} header names JSON ({@code application/json} or {@code application/*+json}). */
    public static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        String type = contentType.split(";", 2)[0].trim().toLowerCase(java.util.Locale.ROOT);
        return type.equals("application/json") || (type.startsWith("application/") && type.endsWith("+json"));
    }

    /**
     * Reads a publish body.
     *
     * @throws InvalidEventException saying which field is wrong
     */
    public Publication read(byte[] body) {
        requireUtf8(body);
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (JacksonException e) {
            throw new InvalidEventException("malformed JSON: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")"));
        }
        if (root == null || root.isMissingNode() || !root.isObject()) {
            throw new InvalidEventException("the body must be a JSON object");
        }
        for (String name : root.propertyNames()) {
            if (!FIELDS.contains(name)) {
                throw new InvalidEventException("unknown field \"" + name + "\"; expected one of " + String.join(", ", sorted(FIELDS)));
            }
        }
        Publication.Builder builder = Publication.builder();
        List<String> topics = new ArrayList<>();
        if (root.has("topics")) {
            topics.addAll(strings(root.get("topics"), "topics"));
        }
        if (root.has("topic")) {
            topics.add(string(root.get("topic"), "topic"));
        }
        if (topics.isEmpty()) {
            throw new InvalidEventException("\"topics\" (or \"topic\") must name at least one topic");
        }
        builder.topics(topics);
        if (root.has("type")) {
            builder.type(string(root.get("type"), "type"));
        }
        JsonNode data = root.get("data");
        if (data != null && !data.isNull()) {
            builder.data(data.isString() ? data.stringValue() : json.writeValueAsString(data));
        }
        if (root.has("id")) {
            builder.key(string(root.get("id"), "id"));
        }
        if (root.has("retry")) {
            JsonNode retry = root.get("retry");
            if (!retry.isIntegralNumber() || !retry.canConvertToLong() || retry.longValue() < 0) {
                throw new InvalidEventException("\"retry\" must be a non-negative whole number of milliseconds");
            }
            builder.retry(Duration.ofMillis(retry.longValue()));
        }
        if (root.has("private")) {
            JsonNode flag = root.get("private");
            if (!flag.isBoolean()) {
                throw new InvalidEventException("\"private\" must be true or false");
            }
            builder.privateEvent(flag.booleanValue());
        }
        if (root.has("users")) {
            builder.audience(strings(root.get("users"), "users"));
        }
        if (root.has("priority")) {
            builder.priority(Priority.parse(string(root.get("priority"), "priority")));
        }
        return builder.build();
    }

    /**
     * Refuses bytes that are not well-formed UTF-8 (overlong forms, encoded surrogates, stray
     * continuation bytes): a lenient decoder would store something other than what was sent.
     */
    private static void requireUtf8(byte[] body) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(body);
        try {
            decoder.decode(in);
        } catch (CharacterCodingException e) {
            throw new InvalidEventException("the body is not valid UTF-8 (at byte " + in.position() + ")");
        }
    }

    /** The JSON written back after a successful publish: {@code {"id":"..."}}. */
    public static String created(long id) {
        return "{\"id\":\"" + id + "\"}";
    }

    private static String string(JsonNode node, String field) {
        if (!node.isString()) {
            throw new InvalidEventException("\"" + field + "\" must be a string");
        }
        return node.stringValue();
    }

    private static List<String> strings(JsonNode node, String field) {
        if (!node.isArray()) {
            throw new InvalidEventException("\"" + field + "\" must be an array of strings");
        }
        List<String> values = new ArrayList<>(node.size());
        for (JsonNode element : node.values()) {
            if (!element.isString()) {
                throw new InvalidEventException("\"" + field + "\" must be an array of strings");
            }
            values.add(element.stringValue());
        }
        return values;
    }

    private static List<String> sorted(Set<String> names) {
        return names.stream().sorted().toList();
    }
}
