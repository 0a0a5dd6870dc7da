package dev.herald.http;

import dev.herald.core.EventIds;
import dev.herald.core.IdFormat;
import dev.herald.core.InvalidEventException;
import dev.herald.core.InvalidSubscriptionException;
import dev.herald.core.Publication;
import dev.herald.core.SubscribeRequest;
import dev.herald.core.Subscriber;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads Mercure's requests, the same on every transport: the subscribe query
 * ({@code ?topic=...&lastEventID=...}) and the publish form
 * ({@code topic=...&data=...&private=on&id=...&type=...&retry=...}), as the Mercure hub reads them.
 */
public final class MercureRequests {

    /** The media type of a publish body. */
    public static final String FORM = "application/x-www-form-urlencoded";

    private static final Set<String> FIELDS = Set.of("topic", "data", "private", "id", "type", "retry");
    /** The most form fields read: topics are bounded separately by the hub's topics per event. */
    private static final int MAX_FIELDS = 1024;

    private MercureRequests() {
    }

    /** Whether a {@code Content-Type} header names a URL-encoded form. */
    public static boolean isForm(String contentType) {
        return contentType != null
                && contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT).equals(FORM);
    }

    /**
     * A subscription to the {@code topic} parameters (exact topics, {@code *}, URI templates) that
     * writes Mercure ids, resuming from the {@code Last-Event-ID} header or else the
     * {@code lastEventID} parameter ({@code earliest} for everything retained).
     *
     * @throws InvalidSubscriptionException without a topic, or for a malformed selector
     */
    public static SubscribeRequest subscription(HttpRequestView request, Subscriber subscriber) {
        return Subscriptions.topics(request, "https://example.com/books/{id}")
                .subscriber(subscriber)
                .lastEventId(Subscriptions.lastEventId(request))
                .idFormat(IdFormat.MERCURE)
                .build();
    }

    /**
     * The update a publish form describes: every {@code topic} (the first canonical, the others
     * alternates), {@code data}, {@code private} (present means private, whatever its value),
     * {@code id}, {@code type} and {@code retry} (milliseconds, digits only).
     *
     * @throws InvalidEventException for a malformed form, a missing topic, an id Herald reserves
     *                               (its own cursors and URNs) or starting with {@code #}, a field
     *                               with CR, LF or NUL, or a retry that is not digits
     */
    public static Publication publication(byte[] body) {
        Map<String, List<String>> form;
        try {
            // Each byte as one char: escapes and raw bytes are then decoded as UTF-8, strictly.
            form = QueryParameters.parse(new String(body, StandardCharsets.ISO_8859_1), MAX_FIELDS);
        } catch (InvalidQueryException e) {
            throw new InvalidEventException("the form is malformed: " + e.getMessage().replace("request target", "form"));
        }
        for (String field : form.keySet()) {
            if (!FIELDS.contains(field)) {
                throw new InvalidEventException("unknown field \"" + field + "\"; a Mercure update has " + FIELDS);
            }
        }
        for (String single : List.of("data", "id", "type", "retry", "private")) {
            if (form.getOrDefault(single, List.of()).size() > 1) {
                throw new InvalidEventException("\"" + single + "\" may be given once");
            }
        }
        List<String> topics = form.getOrDefault("topic", List.of());
        if (topics.isEmpty()) {
            throw new InvalidEventException("missing \"topic\": an update needs at least one topic");
        }
        Publication.Builder update = Publication.builder()
                .topics(topics)
                .data(first(form, "data", ""))
                .privateEvent(form.containsKey("private"));
        String id = first(form, "id", null);
        if (id != null && !id.isEmpty()) {
            update.key(checkedId(id));
        }
        String type = first(form, "type", null);
        if (type != null && !type.isEmpty()) {
            update.type(type);
        }
        String retry = first(form, "retry", null);
        if (retry != null && !retry.isEmpty()) {
            update.retry(retry(retry));
        }
        return update.build();
    }

    private static String first(Map<String, List<String>> form, String field, String otherwise) {
        List<String> values = form.get(field);
        return values == null ? otherwise : values.getFirst();
    }

    private static String checkedId(String id) {
        if (id.startsWith("#")) {
            throw new InvalidEventException("an update id must not start with \"#\"");
        }
        if (EventIds.isHubForm(id)) {
            throw new InvalidEventException("the id \"" + id + "\" has the form of the hub's own ids (numbers, "
                    + "\"earliest\" and urn:uuid:68657261-6c64-8...); leave \"id\" out and the hub makes one");
        }
        return id;
    }

    private static Duration retry(String text) {
        if (text.length() > 18 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new InvalidEventException("\"retry\" is a reconnection delay in milliseconds: digits only, got \""
                    + (text.length() > 40 ? text.substring(0, 40) + "..." : text) + "\"");
        }
        return Duration.ofMillis(Long.parseLong(text));
    }
}
