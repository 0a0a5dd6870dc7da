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
import tools.jackson.databind.json.JsonMapper;

/**
 * An RFC 9457 problem for a {@link HeraldException}: the status, a {@code type} that names the
 * failure ({@code urn:herald:problem:<slug>}, listed in {@code docs/PROTOCOL.md}), a title, the
 * exception's message as {@code detail}, extra members, and the response headers that go with it
 * ({@code Retry-After} where waiting helps, {@code Allow} for 405, {@code WWW-Authenticate} for
 * 401). The one mapping every transport uses: no transport writes problem JSON of its own.
 *
 * @param status  the HTTP status
 * @param slug    the failure's name, the last part of {@code type}
 * @param title   a short summary that does not change between occurrences
 * @param detail  what was wrong this time
 * @param headers response headers to send with it
 * @param extras  further members (a limit, a size)
 */
public record Problem(int status, String slug, String title, String detail, Map<String, String> headers,
        Map<String, Object> extras) {

    /** The media type of a problem body. */
    public static final String MEDIA_TYPE = "application/problem+json";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    public Problem {
        headers = Map.copyOf(headers);
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
        Map<String, String> headers = new LinkedHashMap<>();
        return switch (e) {
            case EventTooLargeException x -> {
                extras.put("size", x.size());
                extras.put("limit", x.limit());
                yield new Problem(413, "event-too-large", "Event too large", detail, headers, extras);
            }
            case InvalidEventException x -> new Problem(400, "invalid-event", "Invalid event", detail, headers, extras);
            case InvalidLastEventIdException x -> new Problem(400, "invalid-last-event-id", "Invalid Last-Event-ID", detail, headers, extras);
            case InvalidSubscriptionException x -> new Problem(400, "invalid-subscription", "Invalid subscription", detail, headers, extras);
            case ConnectionLimitException x -> {
                extras.put("limit", x.limit());
                extras.put("scope", x.scope().name().toLowerCase(Locale.ROOT));
                retryAfter(headers, x.retryAfter());
                yield x.scope() == ConnectionLimitException.Scope.HUB
                        ? new Problem(503, "hub-full", "The hub is at its connection limit", detail, headers, extras)
                        : new Problem(429, "too-many-connections", "Too many connections", detail, headers, extras);
            }
            case HubClosedException x -> {
                retryAfter(headers, Duration.ofSeconds(5));
                yield new Problem(503, "shutting-down", "The hub is shutting down", detail, headers, extras);
            }
            case EventLogException x -> {
                retryAfter(headers, Duration.ofSeconds(5));
                yield new Problem(503, "storage-unavailable", "Event storage unavailable", detail, headers, extras);
            }
            case AuthenticationRequiredException x -> {
                headers.put("WWW-Authenticate", "Bearer realm=\"herald\"");
                yield new Problem(401, "unauthenticated", "Authentication required", detail, headers, extras);
            }
            case AccessDeniedException x -> new Problem(403, "forbidden", "Access denied", detail, headers, extras);
            case AuthenticationUnavailableException x -> {
                retryAfter(headers, Duration.ofSeconds(5));
                yield new Problem(503, "authentication-unavailable", "Authentication unavailable", detail, headers, extras);
            }
            case OriginNotAllowedException x -> new Problem(403, "origin-not-allowed", "Origin not allowed", detail, headers, extras);
            case UnsupportedContentTypeException x -> new Problem(415, "unsupported-media-type", "Unsupported media type", detail, headers, extras);
            case RequestTooLargeException x -> new Problem(413, "request-too-large", "Request too large", detail, headers, extras);
            case RequestHeadTooLargeException x -> x.part() == RequestHeadTooLargeException.Part.URI
                    ? new Problem(414, "uri-too-long", "URI too long", detail, headers, extras)
                    : new Problem(431, "headers-too-large", "Request headers too large", detail, headers, extras);
            case RequestTimeoutException x -> new Problem(408, "request-timeout", "Request timeout", detail, headers, extras);
            case RateLimitedException x -> {
                extras.put("limit", x.limit());
                retryAfter(headers, x.retryAfter());
                yield new Problem(429, "rate-limited", "Publishing too fast", detail, headers, extras);
            }
            case MethodNotAllowedException x -> {
                headers.put("Allow", String.join(", ", x.allowed()));
                yield new Problem(405, "method-not-allowed", "Method not allowed", detail, headers, extras);
            }
            case NotFoundException x -> new Problem(404, "not-found", "Not found", detail, headers, extras);
            case ExpectationFailedException x -> new Problem(417, "expectation-failed", "Expectation failed", detail, headers, extras);
            case InvalidQueryException x -> new Problem(400, "invalid-query", "Invalid query", detail, headers, extras);
            default -> new Problem(400, "bad-request", "Bad request", detail, headers, extras);
        };
    }

    /** The problem for a failure Herald did not foresee: a 500 that reveals nothing of the cause. */
    public static Problem internal() {
        return new Problem(500, "internal-error", "Internal error", "the server failed to answer; the request may be retried",
                Map.of(), Map.of());
    }

    private static void retryAfter(Map<String, String> headers, Duration delay) {
        headers.put("Retry-After", Long.toString(Math.max(1, delay.toSeconds())));
    }

    /** The {@code Retry-After} header value in whole seconds, or {@code null}. */
    public String retryAfterSeconds() {
        return headers.get("Retry-After");
    }

    /** The problem as {@code application/problem+json}, with {@code instance} unless it is {@code null}. */
    public String toJson(String instance) {
        Map<String, Object> members = new LinkedHashMap<>();
        members.put("type", type());
        members.put("title", title);
        members.put("status", status);
        members.put("detail", detail);
        if (instance != null) {
            members.put("instance", instance);
        }
        members.putAll(extras);
        return JSON.writeValueAsString(members);
    }

    /** A JSON string literal of the value. */
    static String quoted(String value) {
        return JSON.writeValueAsString(value);
    }
}
