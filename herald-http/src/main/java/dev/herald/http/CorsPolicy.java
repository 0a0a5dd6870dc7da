package dev.herald.http;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Which browser pages from other origins may subscribe and publish, the same on every transport.
 * Origins are exact ({@code https://app.example.com}) or patterns with {@code *} in the host
 * ({@code https://*.example.com}); both are allowed with credentials (cookies, {@code Authorization}),
 * so list only origins you trust. {@code *} alone allows every origin <em>without</em> credentials:
 * an arbitrary origin is never echoed back with credentials. Immutable.
 *
 * <p>A request with an {@code Origin} header that is neither this server's own origin nor allowed
 * is refused with 403 ({@link OriginNotAllowedException}) before anything else happens.
 *
 * @param origins the allowed origins or patterns
 * @param maxAge  how long browsers may cache a preflight answer
 */
public record CorsPolicy(List<String> origins, Duration maxAge) {

    /** The request headers a page may send: what EventSource, its polyfills and fetch send to Herald. */
    private static final String ALLOWED_HEADERS = "Authorization, Content-Type, Last-Event-ID, Cache-Control, X-Requested-With";

    public CorsPolicy {
        origins = List.copyOf(origins);
        for (String origin : origins) {
            if (origin.isBlank() || origin.chars().anyMatch(c -> c < 0x21 || c == 0x7f)) {
                throw new IllegalArgumentException("not an origin: \"" + origin + "\"");
            }
        }
    }

    /** Allows these origins, preflights cached for 30 minutes. */
    public static CorsPolicy allow(List<String> origins) {
        return new CorsPolicy(origins, Duration.ofMinutes(30));
    }

    /** Allows no other origin: only pages served by this server itself. */
    public static CorsPolicy sameOriginOnly() {
        return new CorsPolicy(List.of(), Duration.ZERO);
    }

    /** Whether the origin is listed (exactly or by a pattern), so it may use credentials. */
    public boolean allowsWithCredentials(String origin) {
        if (origin == null) {
            return false;
        }
        for (String allowed : origins) {
            if (allowed.equals(origin)
                    || (!allowed.equals("*") && allowed.contains("*")
                    && Pattern.matches(Pattern.quote(allowed).replace("*", "\\E[^/.:]+(?:\\.[^/.:]+)*\\Q"), origin))) {
                return true;
            }
        }
        return false;
    }

    /** Whether the origin may use the endpoints at all (listed, or every origin is allowed without credentials). */
    public boolean allows(String origin) {
        return origin != null && (allowsWithCredentials(origin) || origins.contains("*"));
    }

    /**
     * Refuses a cross-origin request from an origin that is not allowed. Requests without an
     * {@code Origin} (not from a browser page, or same-origin navigation) and from the server's own
     * origin pass.
     *
     * @throws OriginNotAllowedException if the request comes from another origin that is not allowed
     */
    public void check(HttpRequestView request) {
        String origin = request.header("Origin");
        if (origin != null && !isSameOrigin(request, origin) && !allows(origin)) {
            throw new OriginNotAllowedException("pages from " + quote(origin)
                    + " may not use this server; list the origin in herald.cors.allowed-origins");
        }
    }

    /**
     * Refuses a request authenticated by a cookie unless it names its origin and the origin is this
     * server's or allowed with credentials: a browser attaches cookies to requests any site makes
     * (cross-site request forgery), but always says which page sent them.
     */
    public void checkCookieRequest(HttpRequestView request) {
        String origin = request.header("Origin");
        if (origin == null) {
            throw new OriginNotAllowedException("a request authenticated by a cookie must carry an Origin header");
        }
        if (!isSameOrigin(request, origin) && !allowsWithCredentials(origin)) {
            throw new OriginNotAllowedException("pages from " + quote(origin) + " may not act with your cookies");
        }
    }

    /** Whether the origin is this server's own, as the request's {@code Host} names it. */
    public static boolean isSameOrigin(HttpRequestView request, String origin) {
        String host = request.header("Host");
        return host != null && (origin.equals("http://" + host) || origin.equals("https://" + host));
    }

    /**
     * The headers for a response to an allowed cross-origin request; empty for same-origin and
     * non-browser requests.
     */
    public Map<String, String> responseHeaders(HttpRequestView request) {
        String origin = request.header("Origin");
        Map<String, String> headers = new LinkedHashMap<>();
        if (origin == null || isSameOrigin(request, origin)) {
            return headers;
        }
        if (allowsWithCredentials(origin)) {
            headers.put("Access-Control-Allow-Origin", origin);
            headers.put("Access-Control-Allow-Credentials", "true");
            headers.put("Vary", "Origin");
        } else if (origins.contains("*")) {
            headers.put("Access-Control-Allow-Origin", "*");
        } else {
            return headers;
        }
        headers.put("Access-Control-Expose-Headers", "Last-Event-ID, Retry-After");
        return headers;
    }

    /** Whether the request is a CORS preflight ({@code OPTIONS} with {@code Access-Control-Request-Method}). */
    public static boolean isPreflight(HttpRequestView request) {
        return request.method().equals("OPTIONS") && request.header("Origin") != null
                && request.header("Access-Control-Request-Method") != null;
    }

    /**
     * The headers answering a preflight for a path that serves these methods; call {@link #check}
     * first.
     */
    public Map<String, String> preflightHeaders(HttpRequestView request, List<String> methods) {
        Map<String, String> headers = responseHeaders(request);
        headers.remove("Access-Control-Expose-Headers");
        headers.put("Access-Control-Allow-Methods", String.join(", ", methods));
        headers.put("Access-Control-Allow-Headers", ALLOWED_HEADERS);
        headers.put("Access-Control-Max-Age", Long.toString(maxAge.toSeconds()));
        return headers;
    }

    private static String quote(String origin) {
        return Problem.quoted(origin.length() > 200 ? origin.substring(0, 200) + "..." : origin);
    }
}
