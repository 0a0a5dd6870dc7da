package dev.herald.http;

import dev.herald.core.Publication;
import dev.herald.core.Subscriber;

/**
 * Where a connection's identity comes from, and who may publish: the hook that authentication
 * (JWT, sessions, API keys) plugs into, for every transport. Define a bean of this type to replace
 * the default, which trusts a {@code user} query parameter and lets anyone publish.
 *
 * <p>Called on the request's thread, before anything is written to the response. Throw
 * {@link AuthenticationRequiredException} (401) or {@link AccessDeniedException} (403) to refuse.
 */
public interface HeraldAuthenticator {

    /** Who is subscribing with this request. */
    Subscriber authenticateSubscriber(HttpRequestView request);

    /** Refuses the publication by throwing; returns normally to allow it. Allows everything by default. */
    default void authorizePublish(HttpRequestView request, Publication publication) {
    }

    /**
     * Refuses a presence query (who is connected, how many subscribe to a topic) by throwing;
     * returns normally to allow it. Allows everything by default, like publishing: refuse it in
     * production unless every client may know who is online.
     */
    default void authorizePresence(HttpRequestView request) {
    }

    /** The default: the user id is the value of a query parameter, absent meaning anonymous. */
    static HeraldAuthenticator queryParameter(String name) {
        return request -> {
            String user = request.parameter(name);
            return user == null || user.isBlank() ? Subscriber.anonymous() : Subscriber.user(user);
        };
    }
}
