package dev.herald.http.internal;

import dev.herald.core.InvalidSubscriptionException;
import dev.herald.core.TopicSelector;
import dev.herald.http.Access;
import dev.herald.http.AccessDeniedException;
import dev.herald.http.AuthenticationRequiredException;
import dev.herald.http.AuthenticationUnavailableException;
import dev.herald.http.HttpRequestView;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Asks the application who makes a request, as Nchan's {@code nchan_authorize_request} and
 * Centrifugo's connect proxy do: a {@code POST} of what the request carries, as JSON,
 *
 * <pre>{@code
 * {"method": "GET", "path": "/events", "topics": ["a", "b"], "cookies": {"SESSION": "..."},
 *  "authorization": "Bearer ..." or null, "remoteAddress": "1.2.3.4"}
 * }</pre>
 *
 * and the application answers {@code 200} with the grants,
 *
 * <pre>{@code
 * {"user": "alice", "subscribe": ["users/alice/{+path}"], "publish": [], "presence": false,
 *  "admin": false, "expiresAt": 1767225600}
 * }</pre>
 *
 * ({@code user} may be null or absent; absent grants grant nothing; {@code expiresAt} in epoch
 * seconds, optional), or {@code 401} / {@code 403}, optionally with a problem body whose
 * {@code detail} is passed on to the caller. Anything else (a timeout, a refused connection, a
 * 5xx, a malformed answer) is a 503: Herald cannot tell, so it neither admits nor refuses.
 *
 * <p>Caching: answers (200, 401, 403) are kept for {@code cacheFor} (a grant no longer than its
 * {@code expiresAt}), keyed by a SHA-256 of the {@code Authorization} header, the {@code Cookie}
 * header and the client's address: not by topics, since the answer says what the caller may do,
 * whatever it asks for now. Failures are not kept. At most {@value #MAX_ENTRIES} entries; when
 * full, expired entries go, then arbitrary ones. Concurrent identical misses share one call.
 *
 * <p>Threading: {@link #authorize} blocks the calling thread for up to the timeout; thread-safe.
 */
public final class AuthorizationCallback {

    /** The most answers kept. */
    public static final int MAX_ENTRIES = 10_000;

    private static final int MAX_DETAIL_LENGTH = 300;
    private static final Logger log = LoggerFactory.getLogger(AuthorizationCallback.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final URI url;
    private final Duration timeout;
    private final Duration cacheFor;
    private final HttpClient http;
    private final InstantSource clock;
    private final List<TopicSelector> publicTopics;
    private final ConcurrentHashMap<String, Cached> cache = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, CompletableFuture<Answer>> calls = new ConcurrentHashMap<>();
    private final AtomicBoolean failing = new AtomicBoolean();

    /**
     * A callback with an empty cache.
     *
     * @param url          where to {@code POST}
     * @param timeout      how long a call may take, connecting included
     * @param cacheFor     how long to keep an answer; zero keeps none
     * @param http         the client to call with
     * @param clock        for the cache
     * @param publicTopics selectors every admitted caller may also subscribe to for public events
     */
    public AuthorizationCallback(URI url, Duration timeout, Duration cacheFor, HttpClient http, InstantSource clock,
            List<TopicSelector> publicTopics) {
        this.url = url;
        this.timeout = timeout;
        this.cacheFor = cacheFor;
        this.http = http;
        this.clock = clock;
        this.publicTopics = List.copyOf(publicTopics);
    }

    /**
     * The application's answer for this request, from the cache or from a call.
     *
     * @throws AuthenticationRequiredException    if the application answered 401
     * @throws AccessDeniedException              if it answered 403
     * @throws AuthenticationUnavailableException if it did not answer usably in time
     */
    public Access authorize(HttpRequestView request) {
        String authorization = request.header("Authorization");
        String cookies = request.header("Cookie");
        String key = key(authorization, cookies, request.remoteAddress());
        Answer kept = cached(key);
        if (kept != null) {
            return kept.apply();
        }
        CompletableFuture<Answer> mine = new CompletableFuture<>();
        CompletableFuture<Answer> running = calls.putIfAbsent(key, mine);
        if (running != null) {
            return join(running).apply();
        }
        Answer answer;
        try {
            // A call for this key may have ended between the look-up and now: its answer is kept.
            answer = cached(key);
            if (answer == null) {
                answer = call(request, authorization, cookies);
                remember(key, answer);
            }
            mine.complete(answer);
        } catch (RuntimeException e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            calls.remove(key, mine);
        }
        return answer.apply();
    }

    /** The kept answer for the key, or {@code null}; drops an expired one. */
    private Answer cached(String key) {
        Cached cached = cache.get(key);
        if (cached == null) {
            return null;
        }
        if (clock.instant().isBefore(cached.until())) {
            return cached.answer();
        }
        cache.remove(key, cached);
        return null;
    }

    private Answer join(CompletableFuture<Answer> running) {
        try {
            return running.get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new AuthenticationUnavailableException(e.getCause().getMessage());
        } catch (TimeoutException e) {
            throw unavailable("the authorization callback did not answer in time");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable("interrupted while waiting for the authorization callback");
        }
    }

    private Answer call(HttpRequestView request, String authorization, String cookies) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("method", request.method());
        body.put("path", request.path());
        body.put("topics", request.parameters("topic"));
        body.put("cookies", Cookies.parse(cookies));
        body.put("authorization", authorization);
        body.put("remoteAddress", request.remoteAddress());
        HttpRequest post = HttpRequest.newBuilder(url)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)))
                .build();
        CompletableFuture<HttpResponse<byte[]>> exchange = http.sendAsync(post, HttpResponse.BodyHandlers.ofByteArray());
        HttpResponse<byte[]> response;
        try {
            // The request timeout covers the wait for the headers; this one the body too.
            response = exchange.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            exchange.cancel(true);
            throw failed("the authorization callback did not answer within " + timeout.toMillis() + " ms", null);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof HttpTimeoutException
                    ? failed("the authorization callback did not answer within " + timeout.toMillis() + " ms", null)
                    : failed("the authorization callback cannot be reached", e.getCause());
        } catch (InterruptedException e) {
            exchange.cancel(true);
            Thread.currentThread().interrupt();
            throw unavailable("interrupted while asking the authorization callback");
        }
        Answer answer = switch (response.statusCode()) {
            case 200 -> new Granted(grant(response.body(), authorization, cookies));
            case 401 -> new Refused(401, detail(response.body(), "the application did not recognize the caller"));
            case 403 -> new Refused(403, detail(response.body(), "the application refused the request"));
            default -> throw failed("the authorization callback answered " + response.statusCode(), null);
        };
        if (failing.compareAndSet(true, false)) {
            log.info("The authorization callback at {} answers again", url);
        }
        return answer;
    }

    private Access grant(byte[] body, String authorization, String cookies) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JacksonException e) {
            throw failed("the authorization callback answered malformed JSON", null);
        }
        if (root == null || !root.isObject()) {
            throw failed("the authorization callback answered something other than a JSON object", null);
        }
        JsonNode user = root.get("user");
        if (user != null && !user.isNull() && !user.isString()) {
            throw malformedAnswer("\"user\" must be a string or null");
        }
        Access.Credential credential = authorization != null ? Access.Credential.HEADER
                : cookies != null && !cookies.isBlank() ? Access.Credential.COOKIE
                : Access.Credential.QUERY;
        return Access.user(user == null || user.isNull() ? null : user.stringValue())
                .subscribe(selectors(root, "subscribe"))
                .publicTopics(publicTopics)
                .publish(selectors(root, "publish"))
                .presence(flag(root, "presence"))
                .admin(flag(root, "admin"))
                .expiresAt(expiresAt(root))
                .credential(credential)
                .build();
    }

    private List<TopicSelector> selectors(JsonNode root, String member) {
        JsonNode node = root.get(member);
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw malformedAnswer("\"" + member + "\" must be an array of topic selectors");
        }
        List<TopicSelector> selectors = new ArrayList<>(node.size());
        for (JsonNode element : node.values()) {
            if (!element.isString()) {
                throw malformedAnswer("\"" + member + "\" must be an array of topic selectors");
            }
            try {
                selectors.add(TopicSelector.parse(element.stringValue()));
            } catch (InvalidSubscriptionException e) {
                throw malformedAnswer("\"" + member + "\" holds an invalid topic selector: " + e.getMessage());
            }
        }
        return selectors;
    }

    private boolean flag(JsonNode root, String member) {
        JsonNode node = root.get(member);
        if (node == null || node.isNull()) {
            return false;
        }
        if (!node.isBoolean()) {
            throw malformedAnswer("\"" + member + "\" must be true or false");
        }
        return node.booleanValue();
    }

    private Instant expiresAt(JsonNode root) {
        JsonNode node = root.get("expiresAt");
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
            throw malformedAnswer("\"expiresAt\" must be a whole number of seconds since the epoch");
        }
        try {
            return Instant.ofEpochSecond(node.longValue());
        } catch (java.time.DateTimeException e) {
            throw malformedAnswer("\"expiresAt\" is out of range");
        }
    }

    /** The {@code detail} of a problem body, or the fallback. */
    private static String detail(byte[] body, String fallback) {
        try {
            JsonNode root = JSON.readTree(body);
            JsonNode detail = root == null ? null : root.get("detail");
            if (detail != null && detail.isString() && !detail.stringValue().isBlank()) {
                String text = detail.stringValue();
                return text.length() <= MAX_DETAIL_LENGTH ? text : text.substring(0, MAX_DETAIL_LENGTH) + "…";
            }
        } catch (JacksonException e) {
            // Not JSON: the application said no without saying why.
        }
        return fallback;
    }

    private void remember(String key, Answer answer) {
        if (cacheFor.isZero()) {
            return;
        }
        Instant now = clock.instant();
        Instant until = now.plus(cacheFor);
        if (answer instanceof Granted granted && granted.access().expiresAt() != null && granted.access().expiresAt().isBefore(until)) {
            until = granted.access().expiresAt();
        }
        if (!now.isBefore(until)) {
            return;
        }
        if (cache.size() >= MAX_ENTRIES) {
            cache.values().removeIf(entry -> !now.isBefore(entry.until()));
            // Still full of live entries: drop arbitrary ones; they are only asked again.
            Iterator<String> keys = cache.keySet().iterator();
            while (cache.size() >= MAX_ENTRIES && keys.hasNext()) {
                keys.next();
                keys.remove();
            }
        }
        cache.put(key, new Cached(answer, until));
    }

    private AuthenticationUnavailableException malformedAnswer(String problem) {
        return failed("the authorization callback answered malformed grants: " + problem, null);
    }

    private AuthenticationUnavailableException failed(String reason, Throwable cause) {
        if (failing.compareAndSet(false, true)) {
            // Once per outage, not once per request: the callers' 503s say the rest.
            log.warn("The authorization callback at {} fails: {}{}; callers get 503 until it answers", url, reason,
                    cause == null ? "" : " (" + cause + ")");
        }
        return unavailable(reason);
    }

    private static AuthenticationUnavailableException unavailable(String reason) {
        return new AuthenticationUnavailableException(reason);
    }

    /**
     * The cache key: a SHA-256 over the three parts, each length-prefixed so that no two different
     * triples give the same input, and {@code null} distinct from empty.
     */
    static String key(String authorization, String cookies, String remoteAddress) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            for (String part : new String[] {authorization, cookies, remoteAddress}) {
                if (part == null) {
                    sha256.update("-1:".getBytes(StandardCharsets.US_ASCII));
                } else {
                    byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
                    sha256.update((bytes.length + ":").getBytes(StandardCharsets.US_ASCII));
                    sha256.update(bytes);
                }
            }
            return HexFormat.of().formatHex(sha256.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** What the application answered. */
    private sealed interface Answer permits Granted, Refused {
        /** The access, or the refusal thrown. */
        Access apply();
    }

    private record Granted(Access access) implements Answer {
        @Override
        public Access apply() {
            return access;
        }
    }

    private record Refused(int status, String detail) implements Answer {
        @Override
        public Access apply() {
            // A new exception each time: a cached one would carry the first caller's stack.
            throw status == 401 ? new AuthenticationRequiredException(detail) : new AccessDeniedException(detail);
        }
    }

    private record Cached(Answer answer, Instant until) {
    }
}
