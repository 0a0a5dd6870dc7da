package dev.herald.http;

import dev.herald.core.ConnectionLimitException;
import dev.herald.core.EventLogException;
import dev.herald.core.EventTooLargeException;
import dev.herald.core.HeraldException;
import dev.herald.core.HubClosedException;
import dev.herald.core.InvalidEventException;
import dev.herald.core.InvalidLastEventIdException;
import dev.herald.core.InvalidSubscriptionException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * An RFC 9457 problem for a {@link HeraldException}: the status, a {@code type} that names the
 * failure ({@code urn:herald:problem:<slug>}, listed in {@code docs/PROTOCOL.md}), a title, the
 * exception's message as {@code detail}, extra members, and a {@code Retry-After} where waiting
 * helps. The one mapping every transport uses.
 *
 * @param status     the HTTP status
 * @param slug       the failure's name, the last part of {@code type}
 * @param title      a short summary that does not change between occurrences
 * @param detail     what was wrong this time
 * @param retryAfter how long to wait before trying again, or {@code null}
 * @param extras     further members (a limit, a size)
 */
public record Problem(int status, String slug, String title, String detail, Duration retryAfter, Map<String, Object> extras) {

    public Problem {
        extras = Map.copyOf(extras);
    }

    /** The {@code type} member. */
    public String type() {
        return "urn:herald:problem:" + slug;
    }

    /** The problem for a failure Herald reports on purpose. */
    public static Problem of(HeraldException e) {
        String detail = e.getMessage();
        Map<String, Object> extras = new LinkedHashMap<>();
        return switch (e) {
            case EventTooLargeException x -> {
                extras.put("size", x.size());
                extras.put("limit", x.limit());
                yield new Problem(413, "event-too-large", "Event too large", detail, null, extras);
            }
            case InvalidEventException x -> new Problem(400, "invalid-event", "Invalid event", detail, null, extras);
            case InvalidLastEventIdException x -> new Problem(400, "invalid-last-event-id", "Invalid Last-Event-ID", detail, null, extras);
            case InvalidSubscriptionException x -> new Problem(400, "invalid-subscription", "Invalid subscription", detail, null, extras);
            case ConnectionLimitException x -> {
                extras.put("limit", x.limit());
                extras.put("scope", x.scope().name().toLowerCase(Locale.ROOT));
                yield x.scope() == ConnectionLimitException.Scope.USER
                        ? new Problem(429, "too-many-connections", "Too many connections for this user", detail, x.retryAfter(), extras)
                        : new Problem(503, "hub-full", "The hub is at its connection limit", detail, x.retryAfter(), extras);
            }
            case HubClosedException x -> new Problem(503, "shutting-down", "The hub is shutting down", detail, Duration.ofSeconds(5), extras);
            case EventLogException x -> new Problem(503, "storage-unavailable", "Event storage unavailable", detail, Duration.ofSeconds(5), extras);
            case AuthenticationRequiredException x -> new Problem(401, "unauthenticated", "Authentication required", detail, null, extras);
            case AccessDeniedException x -> new Problem(403, "forbidden", "Access denied", detail, null, extras);
            case UnsupportedContentTypeException x -> new Problem(415, "unsupported-media-type", "Unsupported media type", detail, null, extras);
            case RequestTooLargeException x -> new Problem(413, "request-too-large", "Request too large", detail, null, extras);
            case InvalidQueryException x -> new Problem(400, "invalid-query", "Invalid query", detail, null, extras);
            default -> new Problem(400, "bad-request", "Bad request", detail, null, extras);
        };
    }

    /** The {@code Retry-After} header value in whole seconds, or {@code null}. */
    public String retryAfterSeconds() {
        return retryAfter == null ? null : Long.toString(Math.max(1, retryAfter.toSeconds()));
    }

    /** The problem as {@code application/problem+json}. */
    public String toJson(String instance) {
        StringBuilder json = new StringBuilder(128).append('{');
        member(json, "type", type());
        member(json, "title", title);
        json.append("\"status\":").append(status).append(',');
        member(json, "detail", detail);
        if (instance != null) {
            member(json, "instance", instance);
        }
        extras.forEach((name, value) -> {
            if (value instanceof Number number) {
                json.append('"').append(name).append("\":").append(number).append(',');
            } else {
                member(json, name, String.valueOf(value));
            }
        });
        json.setLength(json.length() - 1);
        return json.append('}').toString();
    }

    private static void member(StringBuilder json, String name, String value) {
        json.append('"').append(name).append("\":");
        quote(json, value);
        json.append(',');
    }

    /** A JSON string literal of the value. */
    static String quoted(String value) {
        StringBuilder json = new StringBuilder(value.length() + 2);
        quote(json, value);
        return json.toString();
    }

    private static void quote(StringBuilder json, String value) {
        json.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                default -> {
                    if (c < 0x20) {
                        json.append(String.format("\\u%04x", (int) c));
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        json.append('"');
    }
}
