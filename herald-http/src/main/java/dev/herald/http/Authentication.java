package dev.herald.http;

import com.nimbusds.jose.jwk.JWK;
import dev.herald.core.InvalidSubscriptionException;
import dev.herald.core.TopicSelector;
import dev.herald.http.internal.AuthorizationCallback;
import dev.herald.http.internal.JwtVerifier;
import dev.herald.http.internal.PemKeys;
import dev.herald.http.internal.RemoteJwkSet;
import dev.herald.http.internal.TokenAuthenticator;
import java.net.URI;
import java.net.http.HttpClient;
import java.util.concurrent.Executors;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Herald's own {@link HeraldAuthenticator}: JWTs verified with a secret, a public key or a JWK
 * set, an HTTP callback to the application, anonymous access to public topics, or a mix.
 *
 * <pre>{@code
 * HeraldAuthenticator auth = Authentication.builder()
 *         .secret(secretBytes)                            // HS256 tokens, the secret at least 32 bytes
 *         .publicTopics(List.of("news", "status/{id}"))   // what callers without a token may subscribe to
 *         .build();
 * }</pre>
 *
 * <h2>Tokens</h2>
 * A token is looked for in the {@code Authorization: Bearer} header, then the cookies
 * ({@code herald_token}, Mercure's {@code mercureAuthorization}), then the query parameters
 * ({@code access_token}, {@code token}, Mercure's {@code authorization}); the
 * first found is the one used, and where it was found is its {@link Access.Credential}. A token,
 * once found, must be valid: an invalid one is refused (401, saying why in a few words, never
 * repeating the token), never treated as absent. Its claims say what the caller may do:
 *
 * <pre>{@code
 * {"sub": "alice", "exp": 1767225600,
 *  "herald": {"subscribe": ["users/alice/{+path}", "news"], "publish": ["users/alice/outbox"]}}
 * }</pre>
 *
 * {@code sub} is the user (absent for, say, a publishing service), {@code herald.subscribe} the
 * selectors it may subscribe to and receive private events of, {@code herald.publish} where it may
 * publish, {@code herald.presence} and {@code herald.admin} booleans; absent members grant nothing.
 * {@code exp} ends the caller's streams. When anonymous access is on, an authenticated caller may
 * also subscribe to the public topics (their public events only). A Mercure token's
 * {@code mercure.subscribe} and {@code mercure.publish} grant as {@code herald.subscribe} and
 * {@code herald.publish} do.
 *
 * <p>Algorithms: only those of the configured keys, so that no token chooses how it is checked:
 * {@code HS256}/{@code HS384}/{@code HS512} with a secret (as long as its length allows),
 * {@code RS*}/{@code PS*} with an RSA key, {@code ES*} with an EC key of the matching curve;
 * {@code RS*}, {@code PS*} and {@code ES*} from a JWK set. {@code alg: none}, encrypted tokens and an
 * {@code HS256} token where only public keys are configured (algorithm confusion) are refused.
 * EdDSA is not supported: Nimbus JOSE+JWT verifies Ed25519 with Google Tink, which Herald does not
 * ship, so an Ed25519 public key is refused when configured and EdDSA tokens are refused.
 *
 * <h2>JWK sets</h2>
 * Fetched with the JDK's HTTP client when first needed, kept, fetched again when a token names a
 * key the set lacks (at most once per 10 s) and refreshed in the background when 5 minutes old.
 * While the URL is down the keys already fetched keep verifying; with none fetched yet, requests
 * get 503 ({@link AuthenticationUnavailableException}).
 *
 * <h2>Callback</h2>
 * For a request without a token Herald can verify (none found, or no keys configured), the
 * application may decide: {@link Builder#callback(URI, Duration, Duration) callback} POSTs what
 * the request carries (method, path, topics, cookies, {@code Authorization}, client address) and
 * reads back the grants, or a 401 / 403. A slow, failing or nonsensical callback is a 503. Answers
 * are cached per caller (its {@code Authorization} and {@code Cookie} headers and address), not per
 * topic: the application should answer with everything the caller may do, not judge the topics of
 * one request. The protocol is documented on the builder method.
 *
 * <h2>Threading</h2>
 * The authenticator is immutable and thread-safe. With only a secret and public keys it never
 * blocks ({@link HeraldAuthenticator#blocks()} is {@code false}, so Netty calls it on its event
 * loop); with a JWK set or a callback it may, for up to the callback's timeout (2 s by default).
 */
public final class Authentication {

    /** The shortest HMAC secret accepted, in bytes: HS256 needs 256 bits (RFC 7518, section 3.2). */
    public static final int MIN_SECRET_BYTES = 32;
    /** The cookie Mercure clients send their token in. */
    public static final String MERCURE_COOKIE = "mercureAuthorization";
    /** The query parameter Mercure clients send their token in. */
    public static final String MERCURE_QUERY_PARAMETER = "authorization";

    private Authentication() {
    }

    /** Starts an authenticator; at least one of a secret, a public key, a JWK set or a callback is needed. */
    public static Builder builder() {
        return new Builder();
    }

    /** Configures an {@link Authentication} authenticator. Not thread-safe; {@link #build()} may be called more than once. */
    public static final class Builder {
        private byte[] secret;
        private JWK publicKey;
        private URI jwksUri;
        private byte[] publisherSecret;
        private JWK publisherPublicKey;
        private URI publisherJwksUri;
        private String issuer;
        private String audience;
        private Duration clockSkew = Duration.ofSeconds(30);
        private String cookieName = "herald_token";
        private List<String> queryParameters = List.of("access_token", "token");
        private boolean mercureSources = true;
        private boolean anonymous = true;
        private List<TopicSelector> publicTopics = List.of(TopicSelector.parse("*"));
        private URI callbackUrl;
        private Duration callbackTimeout = Duration.ofSeconds(2);
        private Duration callbackCacheFor = Duration.ofSeconds(30);
        private InstantSource clock = InstantSource.system();

        private Builder() {
        }

        /**
         * The HMAC secret that signs {@code HS256} (and, if long enough, {@code HS384},
         * {@code HS512}) tokens. Copied.
         *
         * @throws IllegalArgumentException if shorter than {@value #MIN_SECRET_BYTES} bytes
         */
        public Builder secret(byte[] key) {
            this.secret = checkedSecret(key, "secret");
            return this;
        }

        /**
         * A PEM public key ({@code -----BEGIN PUBLIC KEY-----}, X.509 SubjectPublicKeyInfo, or a
         * {@code CERTIFICATE}): RSA for {@code RS*}/{@code PS*} tokens, EC P-256/P-384/P-521 for
         * {@code ES256}/{@code ES384}/{@code ES512}. Tokens may name a {@code kid}; this key is
         * tried whatever it names.
         *
         * @throws IllegalArgumentException if the text is not such a key, or is an Ed25519 key
         *                                  (EdDSA needs Google Tink, which Herald does not ship)
         */
        public Builder publicKey(String pem) {
            this.publicKey = PemKeys.publicKey(pem);
            return this;
        }

        /**
         * A JWK Set URL ({@code https://issuer.example/.well-known/jwks.json}) whose RSA and EC keys
         * verify tokens, chosen by their {@code kid} and algorithm. Makes the authenticator blocking.
         *
         * @throws IllegalArgumentException if not an absolute http(s) URL
         */
        public Builder jwksUri(URI uri) {
            this.jwksUri = checkedUrl(uri, "jwksUri");
            return this;
        }

        /**
         * The HMAC secret of publishers' tokens. Once any publisher key is set, the tokens of publish
         * requests ({@code POST}) are verified with the publisher keys only, and those of every
         * other request with the main keys only: a subscriber's token cannot publish and a
         * publisher's cannot subscribe. Copied.
         *
         * @throws IllegalArgumentException if shorter than {@value #MIN_SECRET_BYTES} bytes
         */
        public Builder publisherSecret(byte[] key) {
            this.publisherSecret = checkedSecret(key, "publisherSecret");
            return this;
        }

        /**
         * A PEM public key for publishers' tokens; see {@link #publisherSecret} and {@link #publicKey}.
         *
         * @throws IllegalArgumentException if the text is not a usable public key
         */
        public Builder publisherPublicKey(String pem) {
            this.publisherPublicKey = PemKeys.publicKey(pem);
            return this;
        }

        /**
         * A JWK Set URL for publishers' tokens; see {@link #publisherSecret} and {@link #jwksUri}.
         *
         * @throws IllegalArgumentException if not an absolute http(s) URL
         */
        public Builder publisherJwksUri(URI uri) {
            this.publisherJwksUri = checkedUrl(uri, "publisherJwksUri");
            return this;
        }

        /** The {@code iss} every token must have; unchecked when {@code null} (the default). */
        public Builder issuer(String value) {
            this.issuer = value;
            return this;
        }

        /** A value every token's {@code aud} must contain; unchecked when {@code null} (the default). */
        public Builder audience(String value) {
            this.audience = value;
            return this;
        }

        /** How far clocks may disagree when checking {@code exp} and {@code nbf}; 30 s by default, whole seconds. */
        public Builder clockSkew(Duration value) {
            if (value == null || value.isNegative()) {
                throw new IllegalArgumentException("clockSkew must be zero or positive");
            }
            this.clockSkew = value;
            return this;
        }

        /** The cookie that may hold the token; {@code herald_token} by default, empty to read no cookie. */
        public Builder cookieName(String value) {
            this.cookieName = Objects.requireNonNull(value, "cookieName");
            return this;
        }

        /**
         * The query parameters that may hold the token, tried in order; {@code access_token} then
         * {@code token} by default, empty to read none. A token in a URL is the only choice for
         * {@code EventSource} without cookies; Herald never logs it, but proxies may.
         */
        public Builder queryParameters(List<String> names) {
            this.queryParameters = List.copyOf(names);
            return this;
        }

        /**
         * Whether tokens are also looked for where Mercure clients put them (the default): the
         * {@code mercureAuthorization} cookie after Herald's, and the {@code authorization} query
         * parameter after Herald's. Either is only read when its kind (cookie, query) is on.
         */
        public Builder mercureTokenSources(boolean value) {
            this.mercureSources = value;
            return this;
        }

        /**
         * Whether a request without any credential may subscribe to the {@link #publicTopics}
         * ({@code true}, the default) or is refused with 401 ({@code false}). Either way a request
         * with an invalid token is refused.
         */
        public Builder anonymous(boolean value) {
            this.anonymous = value;
            return this;
        }

        /**
         * The selectors anonymous callers may subscribe to, for public events only; when anonymous
         * access is on, authenticated callers may too. {@code ["*"]} by default.
         *
         * @throws IllegalArgumentException if a selector is invalid
         */
        public Builder publicTopics(List<String> selectors) {
            List<TopicSelector> parsed = new ArrayList<>();
            for (String selector : selectors) {
                try {
                    parsed.add(TopicSelector.parse(selector));
                } catch (InvalidSubscriptionException e) {
                    throw new IllegalArgumentException("invalid public topic selector: " + e.getMessage());
                }
            }
            this.publicTopics = List.copyOf(parsed);
            return this;
        }

        /**
         * The application's authorization callback, with a 2 s timeout and answers kept 30 s.
         *
         * @see #callback(URI, Duration, Duration)
         */
        public Builder callback(URI url) {
            return callback(url, null, null);
        }

        /**
         * The application's authorization callback, asked about every request without a token
         * Herald can verify itself. Herald {@code POST}s ({@code Content-Type: application/json}):
         *
         * <pre>{@code
         * {"method": "GET", "path": "/events", "topics": ["a", "b"], "cookies": {"SESSION": "..."},
         *  "authorization": "Bearer ..." or null, "remoteAddress": "1.2.3.4"}
         * }</pre>
         *
         * The application answers {@code 200} with what the caller may do,
         *
         * <pre>{@code
         * {"user": "alice", "subscribe": ["users/alice/{+path}"], "publish": [], "presence": false,
         *  "admin": false, "expiresAt": 1767225600}
         * }</pre>
         *
         * ({@code user} may be null or absent, absent members grant nothing, {@code expiresAt} is
         * in epoch seconds and optional), or {@code 401} or {@code 403}, whose problem body's
         * {@code detail} Herald passes on. A timeout, a refused connection, any other status or a
         * malformed answer gives the caller 503. The credential of an admitted caller is
         * {@code HEADER} if it sent an {@code Authorization} header, else {@code COOKIE} if it
         * sent cookies, else {@code QUERY}. Answers are kept for {@code cacheFor} per
         * ({@code Authorization}, {@code Cookie}, client address), whatever the topics.
         *
         * @param url      where to POST (http or https)
         * @param timeout  how long an answer may take, connecting included; 2 s if {@code null}.
         *                 Also the JWK set fetch timeout.
         * @param cacheFor how long an answer is kept; 30 s if {@code null}, zero to ask every time
         * @throws IllegalArgumentException if the URL is not absolute http(s) or a duration is not positive
         */
        public Builder callback(URI url, Duration timeout, Duration cacheFor) {
            Duration effectiveTimeout = timeout == null ? Duration.ofSeconds(2) : timeout;
            Duration effectiveCacheFor = cacheFor == null ? Duration.ofSeconds(30) : cacheFor;
            if (effectiveTimeout.isNegative() || effectiveTimeout.isZero()) {
                throw new IllegalArgumentException("the callback timeout must be positive");
            }
            if (effectiveCacheFor.isNegative()) {
                throw new IllegalArgumentException("the callback cacheFor must be zero or positive");
            }
            this.callbackUrl = checkedUrl(url, "callback");
            this.callbackTimeout = effectiveTimeout;
            this.callbackCacheFor = effectiveCacheFor;
            return this;
        }

        /** What "now" is, for {@code exp}, {@code nbf} and the caches; the system clock by default. */
        public Builder clock(InstantSource value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /**
         * The authenticator.
         *
         * @throws IllegalArgumentException if none of a secret, a public key, a JWK set or a callback is set
         */
        public HeraldAuthenticator build() {
            if (secret == null && publicKey == null && jwksUri == null && callbackUrl == null) {
                throw new IllegalArgumentException("authentication needs a secret, a public key, a JWK set URL or a callback URL");
            }
            boolean needsHttp = jwksUri != null || publisherJwksUri != null || callbackUrl != null;
            // Fetches and calls share one client: its connections, and its threads, are reused.
            // Its work runs on named virtual threads that close() ends with the client.
            HttpClient http = needsHttp
                    ? HttpClient.newBuilder().connectTimeout(callbackTimeout).followRedirects(HttpClient.Redirect.NEVER)
                            .executor(Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("herald-auth-http-", 0).factory()))
                            .build()
                    : null;
            Map<URI, RemoteJwkSet> jwkSets = new HashMap<>();
            JwtVerifier main = verifier(secret, publicKey, jwksUri, http, jwkSets);
            JwtVerifier publisher = verifier(publisherSecret, publisherPublicKey, publisherJwksUri, http, jwkSets);
            AuthorizationCallback callback = callbackUrl == null ? null
                    : new AuthorizationCallback(callbackUrl, callbackTimeout, callbackCacheFor, http, clock,
                            anonymous ? publicTopics : List.of());
            List<String> cookies = new ArrayList<>();
            List<String> parameters = new ArrayList<>(queryParameters);
            if (!cookieName.isEmpty()) {
                cookies.add(cookieName);
                if (mercureSources) {
                    cookies.add(MERCURE_COOKIE);
                }
            }
            if (!parameters.isEmpty() && mercureSources) {
                parameters.add(MERCURE_QUERY_PARAMETER);
            }
            return new TokenAuthenticator(main, publisher, callback, cookies, parameters, anonymous, publicTopics, http);
        }

        private JwtVerifier verifier(byte[] secret, JWK publicKey, URI jwks, HttpClient http, Map<URI, RemoteJwkSet> jwkSets) {
            if (secret == null && publicKey == null && jwks == null) {
                return null;
            }
            RemoteJwkSet remote = jwks == null ? null
                    : jwkSets.computeIfAbsent(jwks, uri -> new RemoteJwkSet(uri, http, callbackTimeout, clock));
            return new JwtVerifier(secret, publicKey, remote, issuer, audience, clockSkew, clock);
        }

        private static byte[] checkedSecret(byte[] key, String what) {
            if (key == null) {
                throw new IllegalArgumentException(what + " must not be null");
            }
            if (key.length < MIN_SECRET_BYTES) {
                throw new IllegalArgumentException(what + " is " + key.length + " bytes; an HMAC secret needs at least "
                        + MIN_SECRET_BYTES + " (256 bits), e.g. from: openssl rand -base64 32");
            }
            return key.clone();
        }

        private static URI checkedUrl(URI uri, String what) {
            if (uri == null || !uri.isAbsolute() || uri.getHost() == null
                    || !("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))) {
                throw new IllegalArgumentException(what + " must be an absolute http or https URL");
            }
            return uri;
        }
    }
}
