package dev.herald.http.internal;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.herald.core.TopicSelector;
import dev.herald.http.Access;
import dev.herald.http.AuthenticationRequiredException;
import dev.herald.http.HeraldAuthenticator;
import dev.herald.http.HttpRequestView;
import java.util.List;
import java.util.Locale;

/**
 * The authenticator {@link dev.herald.http.Authentication} builds: finds the request's token,
 * verifies it, or asks the application's callback, or lets the caller in anonymously.
 *
 * <p>Order: with keys for the request (the publisher's for a {@code POST} when configured, the
 * main ones otherwise) and a token in it, the token decides, valid or not. Without a token, or
 * without keys, the callback decides when there is one; otherwise the caller is anonymous, or
 * refused when anonymous access is off.
 *
 * <p>Threading: thread-safe; blocks only through a JWK set or the callback ({@link #blocks}).
 */
public final class TokenAuthenticator implements HeraldAuthenticator {

    private final JwtVerifier main;
    private final JwtVerifier publisher;
    private final AuthorizationCallback callback;
    private final List<String> cookieNames;
    private final List<String> queryParameters;
    private final boolean anonymous;
    private final List<TopicSelector> publicTopics;

    /**
     * An authenticator of these parts; {@code main}, {@code publisher} and {@code callback} may each be absent.
     *
     * @param main            verifies tokens (of every request, or of all but publications when
     *                        {@code publisher} is set), or {@code null}
     * @param publisher       verifies the tokens of publications ({@code POST}), or {@code null}
     * @param callback        decides requests without a token to verify, or {@code null}
     * @param cookieNames     the cookies that may hold the token, in order
     * @param queryParameters the query parameters that may hold it, in order
     * @param anonymous       whether a request without credentials may subscribe to public topics
     * @param publicTopics    the selectors anonymous callers may subscribe to
     */
    /** The client JWK set fetches and callbacks share, or {@code null}; closed with this authenticator. */
    private final java.net.http.HttpClient http;

    public TokenAuthenticator(JwtVerifier main, JwtVerifier publisher, AuthorizationCallback callback, List<String> cookieNames,
            List<String> queryParameters, boolean anonymous, List<TopicSelector> publicTopics, java.net.http.HttpClient http) {
        this.http = http;
        this.main = main;
        this.publisher = publisher;
        this.callback = callback;
        this.cookieNames = List.copyOf(cookieNames);
        this.queryParameters = List.copyOf(queryParameters);
        this.anonymous = anonymous;
        this.publicTopics = List.copyOf(publicTopics);
    }

    /** Stops the HTTP client of the JWK set and the callback, if there is one. Safe to call twice. */
    @Override
    public void close() {
        if (http != null) {
            http.shutdownNow();
        }
    }

    @Override
    public Access authenticate(HttpRequestView request) {
        JwtVerifier verifier = publisher != null && "POST".equals(request.method()) ? publisher : main;
        if (verifier != null) {
            Token token = token(request);
            if (token != null) {
                JWTClaimsSet claims = verifier.verify(token.value());
                return HeraldClaims.access(claims, token.credential(), anonymous ? publicTopics : List.of());
            }
        }
        if (callback != null) {
            return callback.authorize(request);
        }
        if (anonymous) {
            return Access.anonymous(publicTopics);
        }
        throw new AuthenticationRequiredException("a token is needed, as \"Authorization: Bearer <token>\""
                + (cookieNames.isEmpty() ? "" : ", in the \"" + cookieNames.getFirst() + "\" cookie")
                + (queryParameters.isEmpty() ? "" : " or in the \"" + queryParameters.getFirst() + "\" query parameter"));
    }

    @Override
    public boolean blocks() {
        return callback != null || (main != null && main.blocks()) || (publisher != null && publisher.blocks());
    }

    /** The request's token, looked for in the header, then the cookies, then the query; {@code null} if none. */
    private Token token(HttpRequestView request) {
        String authorization = request.header("Authorization");
        if (authorization != null) {
            String bearer = bearer(authorization);
            if (bearer != null) {
                return new Token(bearer, Access.Credential.HEADER);
            }
            // With a callback, another scheme (Basic, a session token) is the application's to judge.
            if (callback == null) {
                throw new AuthenticationRequiredException("the Authorization header must be \"Bearer <token>\"");
            }
        }
        for (String cookieName : cookieNames) {
            String cookie = request.cookie(cookieName);
            if (cookie != null && !cookie.isEmpty()) {
                return new Token(cookie, Access.Credential.COOKIE);
            }
        }
        for (String parameter : queryParameters) {
            String value = request.parameter(parameter);
            if (value != null && !value.isEmpty()) {
                return new Token(value, Access.Credential.QUERY);
            }
        }
        return null;
    }

    /** The token of {@code Bearer <token>} (scheme case-insensitive), or {@code null}. */
    private static String bearer(String authorization) {
        String text = authorization.strip();
        int space = text.indexOf(' ');
        if (space < 0 || !text.substring(0, space).toLowerCase(Locale.ROOT).equals("bearer")) {
            return null;
        }
        String token = text.substring(space + 1).strip();
        return token.isEmpty() || token.chars().anyMatch(Character::isWhitespace) ? null : token;
    }

    /** A token and where it was found. */
    private record Token(String value, Access.Credential credential) {
        @Override
        public String toString() {
            // Never print the token itself: it is a credential.
            return "Token[" + credential + "]";
        }
    }
}
