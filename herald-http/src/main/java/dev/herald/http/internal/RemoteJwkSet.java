package dev.herald.http.internal;

import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The keys of a JWK Set URL, fetched with the JDK's {@link HttpClient} and kept.
 *
 * <p>Fetching: the first token that needs a key fetches the set (callers wait, at most the
 * timeout). A token naming a key the set lacks ({@code kid}, or no key of its type) fetches it
 * again, since the issuer may have rotated its keys, but at most once per
 * {@value #MIN_FETCH_INTERVAL_SECONDS} s: a flood of tokens with made-up key ids costs the endpoint
 * one request per interval. Keys in use are refreshed in the background once they are
 * {@value #REFRESH_AFTER_MINUTES} minutes old, so that removed keys stop verifying.
 *
 * <p>Failures: when the endpoint is down, slow or answers nonsense, the keys already fetched go on
 * verifying, however old. Only when no set was ever fetched does {@link #get} throw
 * {@link KeySourceException}, which the caller answers with 503.
 *
 * <p>Threading: {@link #get} is called on the authenticating thread and blocks while a fetch it
 * needs is running. At most one fetch runs at a time; concurrent callers wait for the same one. The
 * lock guards the fields below and is never held during I/O; fetches complete on the HTTP
 * client's threads.
 */
public final class RemoteJwkSet implements JWKSource<SecurityContext> {

    static final long MIN_FETCH_INTERVAL_SECONDS = 10;
    static final long REFRESH_AFTER_MINUTES = 5;
    private static final Duration MIN_FETCH_INTERVAL = Duration.ofSeconds(MIN_FETCH_INTERVAL_SECONDS);
    private static final Duration REFRESH_AFTER = Duration.ofMinutes(REFRESH_AFTER_MINUTES);
    private static final Logger log = LoggerFactory.getLogger(RemoteJwkSet.class);

    private final URI uri;
    private final HttpClient http;
    private final Duration timeout;
    private final InstantSource clock;

    private final Object lock = new Object();
    // Guarded by lock.
    private JWKSet keys;
    private Instant fetchedAt;
    private Instant attemptedAt;
    private CompletableFuture<JWKSet> fetching;
    private boolean failing;

    /**
     * A set fetched when first needed.
     *
     * @param uri     the JWK Set URL
     * @param http    the client to fetch it with
     * @param timeout how long one fetch may take, connecting included
     * @param clock   for the fetch interval and the age of the keys
     */
    public RemoteJwkSet(URI uri, HttpClient http, Duration timeout, InstantSource clock) {
        this.uri = uri;
        this.http = http;
        this.timeout = timeout;
        this.clock = clock;
    }

    /** The URL the keys come from. */
    public URI uri() {
        return uri;
    }

    /**
     * The keys the selector picks, fetching the set first if it was never fetched, and again if it
     * lacks the key and the interval allows.
     *
     * @throws KeySourceException if no set was ever fetched and fetching it now fails
     */
    @Override
    public List<JWK> get(JWKSelector selector, SecurityContext context) throws KeySourceException {
        JWKSet current;
        synchronized (lock) {
            current = keys;
        }
        if (current == null) {
            current = await(start(true));
        }
        List<JWK> matches = selector.select(current);
        if (!matches.isEmpty()) {
            refreshIfOld();
            return matches;
        }
        CompletableFuture<JWKSet> refetch = start(false);
        if (refetch == null) {
            return List.of();
        }
        try {
            return selector.select(await(refetch));
        } catch (KeySourceException e) {
            // The endpoint is unreachable: the keys we have still stand, and none of them fits.
            return List.of();
        }
    }

    private void refreshIfOld() {
        synchronized (lock) {
            if (fetchedAt != null && !clock.instant().isBefore(fetchedAt.plus(REFRESH_AFTER))) {
                start(false);
            }
        }
    }

    /**
     * Starts a fetch unless one is running (then returns it) or, unless forced, one started less than
     * the interval ago (then returns {@code null}).
     */
    private CompletableFuture<JWKSet> start(boolean force) {
        synchronized (lock) {
            if (fetching != null && !fetching.isDone()) {
                return fetching;
            }
            Instant now = clock.instant();
            if (!force && attemptedAt != null && now.isBefore(attemptedAt.plus(MIN_FETCH_INTERVAL))) {
                return null;
            }
            attemptedAt = now;
            CompletableFuture<JWKSet> fetch = fetch();
            fetching = fetch;
            fetch.whenComplete((set, failure) -> completed(fetch, set, failure));
            return fetch;
        }
    }

    private CompletableFuture<JWKSet> fetch() {
        HttpRequest request = HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .header("Accept", "application/jwk-set+json, application/json")
                .GET()
                .build();
        CompletableFuture<HttpResponse<byte[]>> exchange;
        try {
            exchange = http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        // The request timeout ends the wait for the headers only; this one bounds the body too.
        CompletableFuture<JWKSet> parsed = exchange.thenApply(this::parse).orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
        parsed.whenComplete((set, failure) -> {
            if (failure != null) {
                exchange.cancel(true);
            }
        });
        return parsed;
    }

    private JWKSet parse(HttpResponse<byte[]> response) {
        if (response.statusCode() != 200) {
            throw new IllegalStateException("it answered " + response.statusCode());
        }
        try {
            return JWKSet.parse(new String(response.body(), StandardCharsets.UTF_8));
        } catch (java.text.ParseException e) {
            throw new IllegalStateException("it answered something other than a JWK set");
        }
    }

    private void completed(CompletableFuture<JWKSet> fetch, JWKSet set, Throwable failure) {
        boolean recovered;
        boolean newlyFailing;
        synchronized (lock) {
            if (fetching == fetch) {
                fetching = null;
            }
            if (set != null) {
                keys = set;
                fetchedAt = clock.instant();
            }
            recovered = set != null && failing;
            newlyFailing = set == null && !failing;
            failing = set == null;
        }
        if (newlyFailing) {
            log.warn("Cannot fetch the JWK set at {} ({}); keys already fetched stay in use", uri, describe(failure));
        } else if (recovered) {
            log.info("Fetched the JWK set at {} again", uri);
        }
    }

    private JWKSet await(CompletableFuture<JWKSet> fetch) throws KeySourceException {
        try {
            // The fetch times itself out; this bound only guards against a fetch that never ends.
            return fetch.get(timeout.toMillis() * 2 + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new KeySourceException("the key set could not be fetched (" + describe(e.getCause()) + ")");
        } catch (TimeoutException e) {
            throw new KeySourceException("the key set could not be fetched in time");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KeySourceException("interrupted while fetching the key set");
        }
    }

    private String describe(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        return switch (cause) {
            case null -> "unknown failure";
            case TimeoutException t -> "no answer within " + timeout.toMillis() + " ms";
            case java.net.http.HttpTimeoutException t -> "no answer within " + timeout.toMillis() + " ms";
            case java.net.ConnectException c -> "connection refused";
            case IllegalStateException s -> s.getMessage();
            default -> cause.getClass().getSimpleName();
        };
    }
}
