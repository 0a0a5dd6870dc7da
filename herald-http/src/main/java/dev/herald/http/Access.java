package dev.herald.http;

import dev.herald.core.Publication;
import dev.herald.core.Subscriber;
import dev.herald.core.TopicSelector;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Who is calling and what they may do, as a {@link HeraldAuthenticator} established it for one
 * request. Immutable. The checks ({@link #checkSubscribe}, {@link #checkPublish},
 * {@link #checkPresence}, {@link #checkAdmin}) throw the refusal every transport answers: a caller
 * without credentials gets {@code 401} ({@link AuthenticationRequiredException}), a known caller
 * asking for more than it was granted {@code 403} ({@link AccessDeniedException}).
 *
 * <p>Selectors are Herald's topic selectors (exact, {@code *}, RFC 6570 templates). A requested
 * selector is allowed when a granted one {@linkplain TopicSelector#covers covers} it: {@code *}
 * covers everything, a template covers the exact topics it matches and itself.
 *
 * @param userId        the user, or {@code null} (anonymous, or a token without a subject)
 * @param subscribe     selectors the caller may subscribe to
 * @param privateTopics selectors whose private events the caller may receive
 * @param publish       selectors of the topics the caller may publish to
 * @param presence      whether the caller may ask who is connected
 * @param admin         whether the caller may end other users' streams (and do everything else)
 * @param expiresAt     when the credentials expire (streams end then), or {@code null}
 * @param credential    what the caller proved its identity with
 * @param payload       the JSON a Mercure token carries in {@code mercure.payload}, shown in the
 *                      caller's Mercure subscriptions; {@code null} if none
 */
public record Access(String userId, List<TopicSelector> subscribe, List<TopicSelector> privateTopics,
        List<TopicSelector> publish, boolean presence, boolean admin, Instant expiresAt, Credential credential, String payload) {

    /** What a caller proved its identity with. */
    public enum Credential {
        /** Nothing: an anonymous caller. */
        NONE,
        /** Nothing, and trusted anyway: no authentication is configured (a loopback-only or explicitly insecure hub). */
        TRUSTED,
        /** A bearer token in the {@code Authorization} header. */
        HEADER,
        /** A cookie (a token or a session): publishing with it needs an allowed {@code Origin}, against CSRF. */
        COOKIE,
        /** A token in the query string. */
        QUERY
    }

    private static final List<TopicSelector> EVERYTHING = List.of(TopicSelector.parse("*"));

    public Access {
        subscribe = List.copyOf(subscribe);
        privateTopics = List.copyOf(privateTopics);
        publish = List.copyOf(publish);
        Objects.requireNonNull(credential, "credential");
    }

    /** An access without a Mercure payload. */
    public Access(String userId, List<TopicSelector> subscribe, List<TopicSelector> privateTopics,
            List<TopicSelector> publish, boolean presence, boolean admin, Instant expiresAt, Credential credential) {
        this(userId, subscribe, privateTopics, publish, presence, admin, expiresAt, credential, null);
    }

    /** A caller without credentials, allowed to subscribe to these public selectors (and to public events only). */
    public static Access anonymous(List<TopicSelector> publicTopics) {
        return new Access(null, publicTopics, List.of(), List.of(), false, false, null, Credential.NONE);
    }

    /**
     * A caller trusted without proof, as every caller is when no authentication is configured: it
     * may subscribe to anything and publish anything, ask for presence, and be whoever it says
     * (the user id it names, or {@code null}). It receives private events only when named in their
     * audience.
     */
    public static Access trusted(String userId) {
        return new Access(userId, EVERYTHING, List.of(), EVERYTHING, true, true, null, Credential.TRUSTED);
    }

    /**
     * Starts the access of a known user (or of a token without a subject, with {@code null}).
     *
     * <pre>{@code
     * Access.user("alice").subscribe("users/alice/{+path}").credential(Access.Credential.COOKIE).build();
     * }</pre>
     */
    public static Builder user(String userId) {
        return new Builder(userId);
    }

    /** Whether the caller proved an identity, or is trusted without one. */
    public boolean isAuthenticated() {
        return credential != Credential.NONE;
    }

    /** Whether no authentication is configured and the caller is trusted as it is. */
    public boolean isTrusted() {
        return credential == Credential.TRUSTED;
    }

    /** Whether the caller may act for this user: it is that user, an admin, or trusted. */
    public boolean mayActAs(String user) {
        return admin || isTrusted() || (userId != null && userId.equals(user));
    }

    /** The subscriber the hub delivers to: the user, its private topics and when its credentials expire. */
    public Subscriber subscriber() {
        return new Subscriber(userId, privateTopics, expiresAt);
    }

    /**
     * Refuses a subscription to a selector the caller was not granted.
     *
     * @throws AuthenticationRequiredException if an anonymous caller asks for more than public topics
     * @throws AccessDeniedException           if a known caller asks for more than it was granted
     */
    public void checkSubscribe(List<TopicSelector> selectors) {
        for (TopicSelector selector : selectors) {
            if (!TopicSelector.anyCovers(subscribe, selector)) {
                throw refusal("subscribe to \"" + selector.value() + "\"");
            }
        }
    }

    /**
     * Refuses a publication to a topic outside the caller's publish grants.
     *
     * @throws AuthenticationRequiredException if the caller is anonymous
     * @throws AccessDeniedException           if a topic is outside its grants
     */
    public void checkPublish(Publication publication) {
        if (!isAuthenticated()) {
            throw new AuthenticationRequiredException("publishing needs a token");
        }
        for (String topic : publication.topics()) {
            if (!matchesAny(publish, topic)) {
                throw new AccessDeniedException("this token may not publish to \"" + topic + "\"");
            }
        }
    }

    /** Refuses a presence query unless the caller was granted presence (or is an admin). */
    public void checkPresence() {
        if (!presence && !admin) {
            throw refusal("ask who is connected");
        }
    }

    /** Refuses an administrative request (ending a user's streams) unless the caller is an admin. */
    public void checkAdmin() {
        if (!admin) {
            throw refusal("end other users' streams");
        }
    }

    private RuntimeException refusal(String what) {
        return isAuthenticated()
                ? new AccessDeniedException("this token may not " + what)
                : new AuthenticationRequiredException("a token is needed to " + what);
    }

    private static boolean matchesAny(List<TopicSelector> selectors, String topic) {
        for (TopicSelector selector : selectors) {
            if (selector.matches(topic)) {
                return true;
            }
        }
        return false;
    }

    /** Builds the {@link Access} of a known caller. Not thread-safe. */
    public static final class Builder {
        private final String userId;
        private final List<TopicSelector> subscribe = new ArrayList<>();
        private final List<TopicSelector> privateTopics = new ArrayList<>();
        private final List<TopicSelector> publish = new ArrayList<>();
        private boolean presence;
        private boolean admin;
        private Instant expiresAt;
        private Credential credential = Credential.HEADER;
        private String payload;

        private Builder(String userId) {
            this.userId = userId;
        }

        /** Selectors the caller may subscribe to and receive private events of. */
        public Builder subscribe(String... selectors) {
            for (String selector : selectors) {
                subscribe(TopicSelector.parse(selector));
            }
            return this;
        }

        /** Selectors the caller may subscribe to and receive private events of. */
        public Builder subscribe(List<TopicSelector> selectors) {
            selectors.forEach(this::subscribe);
            return this;
        }

        private void subscribe(TopicSelector selector) {
            subscribe.add(selector);
            privateTopics.add(selector);
        }

        /** Selectors the caller may subscribe to for their public events only (what anonymous callers may). */
        public Builder publicTopics(List<TopicSelector> selectors) {
            subscribe.addAll(selectors);
            return this;
        }

        /** Selectors of the topics the caller may publish to. */
        public Builder publish(String... selectors) {
            for (String selector : selectors) {
                publish.add(TopicSelector.parse(selector));
            }
            return this;
        }

        /** Selectors of the topics the caller may publish to. */
        public Builder publish(List<TopicSelector> selectors) {
            publish.addAll(selectors);
            return this;
        }

        /** Whether the caller may ask who is connected. */
        public Builder presence(boolean value) {
            presence = value;
            return this;
        }

        /** Whether the caller may do everything, including ending other users' streams. */
        public Builder admin(boolean value) {
            admin = value;
            return this;
        }

        /** When the credentials expire; the caller's streams end then. */
        public Builder expiresAt(Instant value) {
            expiresAt = value;
            return this;
        }

        /** What the caller proved its identity with; {@link Credential#HEADER} by default. */
        public Builder credential(Credential value) {
            credential = Objects.requireNonNull(value);
            return this;
        }

        /** The JSON of a Mercure token's {@code mercure.payload}, or {@code null}. */
        public Builder payload(String json) {
            payload = json;
            return this;
        }

        public Access build() {
            if (credential == Credential.NONE || credential == Credential.TRUSTED) {
                throw new IllegalArgumentException("a user's access rests on a credential; use Access.anonymous or Access.trusted");
            }
            if (admin) {
                return new Access(userId, EVERYTHING, EVERYTHING, EVERYTHING, true, true, expiresAt, credential, payload);
            }
            return new Access(userId, subscribe, privateTopics, publish, presence, false, expiresAt, credential, payload);
        }
    }
}
