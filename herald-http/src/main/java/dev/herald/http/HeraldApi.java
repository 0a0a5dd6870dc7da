package dev.herald.http;

import dev.herald.core.Hub;
import dev.herald.core.InvalidSubscriptionException;
import dev.herald.core.Presence;
import dev.herald.core.Publication;
import dev.herald.core.SubscribeRequest;
import java.time.InstantSource;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Herald's HTTP API without the HTTP server: what each request means, who may make it, and what
 * is refused, the same on every transport. A transport routes a request here, reads its body,
 * calls {@link #authenticate} (on a thread that may block, unless {@link #authenticationBlocks()}
 * is false), then the operation, and writes the answer; every refusal is a
 * {@link dev.herald.core.HeraldException} that {@link Problem} renders.
 *
 * <table>
 *   <caption>Endpoints</caption>
 *   <tr><th>endpoint</th><th>methods</th><th>operation</th></tr>
 *   <tr><td>{@link Endpoint#EVENTS} ({@code /events})</td><td>GET, POST</td><td>{@link #subscription}, {@link #publication}</td></tr>
 *   <tr><td>{@link Endpoint#PRESENCE} ({@code /presence})</td><td>GET</td><td>{@link #presence}</td></tr>
 *   <tr><td>{@link Endpoint#CONNECTIONS} ({@code /connections})</td><td>DELETE</td><td>{@link #endStreams}</td></tr>
 *   <tr><td>{@link Endpoint#MERCURE} ({@code /.well-known/mercure})</td><td>GET, POST</td><td>{@link #mercureSubscription}, {@link #mercurePublication}</td></tr>
 *   <tr><td>{@link Endpoint#MERCURE_SUBSCRIPTIONS} ({@code /.well-known/mercure/subscriptions...})</td><td>GET</td><td>{@link #mercureSubscriptions}</td></tr>
 * </table>
 *
 * <p>Thread-safe; one instance serves every request.
 */
public final class HeraldApi implements AutoCloseable {

    /** The topics publishers may not use: Herald's own control events live there. */
    public static final String RESERVED_TOPIC_PREFIX = "$herald/";

    /** What the API serves at a path. */
    public enum Endpoint {
        /** Subscribe (GET) and publish (POST). */
        EVENTS(List.of("GET", "POST")),
        /** Who is connected (GET). */
        PRESENCE(List.of("GET")),
        /** End a user's streams on every node (DELETE). */
        CONNECTIONS(List.of("DELETE")),
        /** The Mercure protocol's hub: subscribe (GET) and publish (POST a form). */
        MERCURE(List.of("GET", "POST")),
        /** Mercure's subscriptions API, under the hub's path (GET). */
        MERCURE_SUBSCRIPTIONS(List.of("GET"));

        private final List<String> methods;

        Endpoint(List<String> methods) {
            this.methods = methods;
        }

        /** The methods it answers, for {@code Allow} and CORS preflights. */
        public List<String> methods() {
            return methods;
        }
    }

    private final Hub hub;
    private final HeraldAuthenticator authenticator;
    private final CorsPolicy cors;
    private final Presence presence;
    private final String eventsPath;
    private final String presencePath;
    private final String connectionsPath;
    private final String mercurePath;
    private final boolean mercureAnonymous;
    private final MercureSubscriptions subscriptions;
    private final int maxTopics;
    private final int maxBodyBytes;
    private final PublishRequests publishRequests = new PublishRequests();
    private final PublishRateLimiter rateLimiter;

    private HeraldApi(Builder b) {
        this.hub = b.hub;
        this.authenticator = b.authenticator;
        this.cors = b.cors;
        this.presence = b.presence;
        this.eventsPath = b.eventsPath;
        this.presencePath = b.presence == null ? null : b.presencePath;
        this.connectionsPath = b.connectionsPath;
        this.mercurePath = b.mercurePath;
        this.mercureAnonymous = b.mercureAnonymous;
        this.subscriptions = b.mercurePath != null && b.subscriptionsPresence != null
                ? new MercureSubscriptions(b.hub, b.subscriptionsPresence, b.mercurePath, b.subscriptionsSweep) : null;
        this.maxTopics = b.maxTopics;
        this.maxBodyBytes = b.maxBodyBytes > 0 ? b.maxBodyBytes : PublishRequests.maxBodyBytes(b.maxEventBytes);
        this.rateLimiter = new PublishRateLimiter(b.publishRate, b.publishBurst > 0 ? b.publishBurst : b.publishRate, b.clock);
    }

    /** Starts configuring the API of this hub; every setting has a default. */
    public static Builder builder(Hub hub) {
        return new Builder(hub);
    }

    /** The endpoint served at this path, or {@code null}. */
    public Endpoint endpointAt(String path) {
        if (path.equals(eventsPath)) {
            return Endpoint.EVENTS;
        }
        if (path.equals(presencePath)) {
            return Endpoint.PRESENCE;
        }
        if (path.equals(connectionsPath)) {
            return Endpoint.CONNECTIONS;
        }
        if (path.equals(mercurePath)) {
            return Endpoint.MERCURE;
        }
        if (subscriptions != null && (path.equals(subscriptions.apiPath()) || path.startsWith(subscriptions.apiPath() + "/"))) {
            return Endpoint.MERCURE_SUBSCRIPTIONS;
        }
        return null;
    }

    /** The path of {@link Endpoint#MERCURE}, or {@code null} when Mercure is not served. */
    public String mercurePath() {
        return mercurePath;
    }

    /** Whether the request publishes (a {@code POST} to the events or the Mercure path): the requests with a body to read. */
    public boolean isPublish(String method, String path) {
        Endpoint endpoint = endpointAt(path);
        return method.equals("POST") && (endpoint == Endpoint.EVENTS || endpoint == Endpoint.MERCURE);
    }

    /** The path of {@link Endpoint#EVENTS}. */
    public String eventsPath() {
        return eventsPath;
    }

    public CorsPolicy cors() {
        return cors;
    }

    public Hub hub() {
        return hub;
    }

    /** The largest publish body read; a longer one is refused with {@link RequestTooLargeException}. */
    public int maxBodyBytes() {
        return maxBodyBytes;
    }

    /** Whether {@link #authenticate} may block, so that event loops call it elsewhere. */
    public boolean authenticationBlocks() {
        return authenticator.blocks();
    }

    /**
     * Who makes the request, after the origin check.
     *
     * @throws OriginNotAllowedException       for a page from an origin that is not allowed, or a
     *                                         cookie sent on another site's behalf
     * @throws AuthenticationRequiredException for invalid or expired credentials
     */
    public Access authenticate(HttpRequestView request) {
        cors.check(request);
        Access access = Objects.requireNonNull(authenticator.authenticate(request), "the authenticator returned no access");
        String site = request.header("Sec-Fetch-Site");
        if (access.credential() == Access.Credential.COOKIE && site != null && !site.equals("same-origin") && !site.equals("none")) {
            // A browser sent the cookie on another site's behalf (an image, a link): only pages
            // from this origin or origins allowed with credentials may act with it.
            cors.checkCookieRequest(request);
        }
        return access;
    }

    /**
     * A {@code GET} on the events path: the subscription it asks for, checked against the caller's
     * grants. The {@code user} a trusted caller names is its identity; otherwise identity comes
     * from the credentials only.
     *
     * @throws InvalidSubscriptionException    for no or too many topics, a malformed selector or cursor
     *                                         option, or a client id without a user
     * @throws AuthenticationRequiredException for {@code since=last} or a non-public topic without credentials
     * @throws AccessDeniedException           for a topic outside the caller's grants
     */
    public SubscribeRequest subscription(HttpRequestView request, Access access) {
        int topics = request.parameters("topic").size();
        if (topics > maxTopics) {
            throw new InvalidSubscriptionException("a subscription may select at most " + maxTopics + " topics, got " + topics);
        }
        if ("last".equals(request.parameter("since")) && !access.isAuthenticated()) {
            throw new AuthenticationRequiredException("since=last resumes a user's position: it needs a token");
        }
        SubscribeRequest subscription = Subscriptions.read(request, access.subscriber());
        access.checkSubscribe(subscription.topics());
        if (subscription.clientId() != null && access.userId() == null && !access.isTrusted()) {
            throw new InvalidSubscriptionException("clientId replaces a user's earlier stream: it needs a token with a subject");
        }
        return subscription;
    }

    /**
     * A {@code POST} on the events path: the publication in the body, checked and authorized, not
     * yet published. Cookie-authenticated publishing must come from an allowed origin (CSRF).
     *
     * @throws UnsupportedContentTypeException for a body that is not JSON
     * @throws dev.herald.core.InvalidEventException for a malformed body, invalid UTF-8 or a reserved topic
     * @throws AuthenticationRequiredException  without credentials
     * @throws AccessDeniedException            for a topic outside the caller's publish grants
     * @throws OriginNotAllowedException        for a cookie-authenticated request from elsewhere
     * @throws RateLimitedException             for a publisher over its rate
     */
    public Publication publication(HttpRequestView request, Access access, byte[] body) {
        checkPublisher(request, access);
        if (!PublishRequests.isJson(request.header("Content-Type"))) {
            throw new UnsupportedContentTypeException(request.header("Content-Type"));
        }
        checkSize(body);
        return authorized(request, access, publishRequests.read(body));
    }

    /**
     * A {@code POST} on the Mercure path: the update in the form, checked and authorized as
     * {@link #publication} checks a JSON one, not yet published. Answer with
     * {@link dev.herald.core.EventIds#mercureId} of the stored event.
     *
     * @throws UnsupportedContentTypeException for a body that is not a URL-encoded form
     * @throws dev.herald.core.InvalidEventException for a malformed form or update (see {@link MercureRequests#publication})
     */
    public Publication mercurePublication(HttpRequestView request, Access access, byte[] body) {
        checkPublisher(request, access);
        if (!MercureRequests.isForm(request.header("Content-Type"))) {
            throw new UnsupportedContentTypeException(request.header("Content-Type"), MercureRequests.FORM);
        }
        checkSize(body);
        return authorized(request, access, MercureRequests.publication(body));
    }

    /**
     * A {@code GET} on the Mercure path: a stream of Mercure ids for the {@code topic} selectors,
     * checked against the caller's grants as {@link #subscription} checks them. Private updates reach
     * it when the caller's token grants their topics ({@code mercure.subscribe} or {@code herald.subscribe}).
     *
     * @throws AuthenticationRequiredException without credentials when anonymous Mercure subscribers are off
     */
    public SubscribeRequest mercureSubscription(HttpRequestView request, Access access) {
        if (!mercureAnonymous && !access.isAuthenticated()) {
            throw new AuthenticationRequiredException("subscribing needs a token (anonymous Mercure subscribers are off)");
        }
        int topics = request.parameters("topic").size();
        if (topics > maxTopics) {
            throw new InvalidSubscriptionException("a subscription may select at most " + maxTopics + " topics, got " + topics);
        }
        SubscribeRequest subscription = MercureRequests.subscription(request, access.subscriber());
        access.checkSubscribe(subscription.topics());
        return subscription;
    }

    /**
     * Tells the API that a Mercure stream started, so that its subscriptions are announced and
     * listed (when the subscriptions API is on). Transports call it once the stream is started.
     */
    public void mercureStreamOpened(dev.herald.core.Connection connection, Access access) {
        if (subscriptions != null) {
            subscriptions.opened(connection, access);
        }
    }

    /**
     * A {@code GET} under the Mercure subscriptions path: the JSON-LD answer
     * ({@link MercureSubscriptions#answer}). May block on a cluster's Redis.
     *
     * @throws NotFoundException for a subscription no node has
     * @throws AccessDeniedException unless the caller's token grants the requested path as a topic
     */
    public String mercureSubscriptions(HttpRequestView request, Access access) {
        if (subscriptions == null) {
            throw new NotFoundException();
        }
        return subscriptions.answer(request.rawPath(), access);
    }

    /** Stops the Mercure subscriptions' sweeper, if any. */
    @Override
    public void close() {
        if (subscriptions != null) {
            subscriptions.close();
        }
    }

    private void checkPublisher(HttpRequestView request, Access access) {
        if (access.credential() == Access.Credential.COOKIE) {
            cors.checkCookieRequest(request);
        }
        if (!access.isAuthenticated()) {
            throw new AuthenticationRequiredException("publishing needs a token");
        }
    }

    private void checkSize(byte[] body) {
        if (body.length > maxBodyBytes) {
            throw new RequestTooLargeException(maxBodyBytes);
        }
    }

    private Publication authorized(HttpRequestView request, Access access, Publication publication) {
        for (String topic : publication.topics()) {
            if (topic.startsWith(RESERVED_TOPIC_PREFIX)) {
                throw new dev.herald.core.InvalidEventException("topics starting with " + RESERVED_TOPIC_PREFIX + " are Herald's own");
            }
        }
        access.checkPublish(publication);
        if (!access.isTrusted() && !access.admin()) {
            rateLimiter.acquire(publisherKey(request, access));
        }
        return publication;
    }

    private static String publisherKey(HttpRequestView request, Access access) {
        if (access.userId() != null) {
            return "user " + access.userId();
        }
        String address = request.remoteAddress();
        return "address " + (address == null ? "unknown" : address);
    }

    /**
     * A {@code GET} on the presence path: who is connected, as JSON (see {@link PresenceRequests}).
     * May block on a cluster's Redis.
     *
     * @throws AuthenticationRequiredException without credentials
     * @throws AccessDeniedException           unless the caller was granted presence
     */
    public String presence(HttpRequestView request, Access access) {
        access.checkPresence();
        if (presence == null) {
            throw new NotFoundException();
        }
        return PresenceRequests.answer(presence, request);
    }

    /**
     * A {@code DELETE} on the connections path with {@code ?user=U}: ends every stream of the user on
     * every node (a logout). Allowed to admins and to the user itself.
     *
     * @return the JSON answer, once the request is stored where every node reads it
     * @throws InvalidQueryException without a user
     */
    public CompletableFuture<String> endStreams(HttpRequestView request, Access access) {
        String user = request.parameter("user");
        if (user == null || user.isEmpty() || request.parameters("user").size() > 1) {
            throw new InvalidQueryException("name one user: DELETE ?user=U");
        }
        PresenceRequests.check("user", user);
        if (!access.mayActAs(user)) {
            access.checkAdmin();
        }
        return hub.endStreamsOf(user).thenApply(done -> "{\"user\":" + Problem.quoted(user) + ",\"ended\":true}");
    }

    /** Configures a {@link HeraldApi}. Not thread-safe. */
    public static final class Builder {
        private final Hub hub;
        private HeraldAuthenticator authenticator = HeraldAuthenticator.trusting("user");
        private CorsPolicy cors = CorsPolicy.sameOriginOnly();
        private Presence presence;
        private String eventsPath = "/events";
        private String presencePath = "/presence";
        private String connectionsPath;
        private String mercurePath;
        private boolean mercureAnonymous = true;
        private Presence subscriptionsPresence;
        private java.time.Duration subscriptionsSweep = java.time.Duration.ofSeconds(1);
        private int maxTopics = 64;
        private long maxEventBytes = 64 * 1024;
        private int maxBodyBytes;
        private double publishRate;
        private double publishBurst;
        private InstantSource clock = InstantSource.system();

        private Builder(Hub hub) {
            this.hub = Objects.requireNonNull(hub, "hub");
        }

        /** Who callers are; {@link HeraldAuthenticator#trusting trusting} the {@code user} parameter by default. */
        public Builder authenticator(HeraldAuthenticator value) {
            authenticator = Objects.requireNonNull(value);
            return this;
        }

        /** Which other origins' pages may call; none by default (same origin only). */
        public Builder cors(CorsPolicy value) {
            cors = Objects.requireNonNull(value);
            return this;
        }

        /** Subscribe and publish path; {@code /events} by default. */
        public Builder eventsPath(String value) {
            eventsPath = Objects.requireNonNull(value);
            return this;
        }

        /** Answers presence queries at this path; none unless set. */
        public Builder presence(Presence value, String path) {
            presence = Objects.requireNonNull(value);
            presencePath = Objects.requireNonNull(path);
            return this;
        }

        /** Ends users' streams at this path ({@code DELETE ?user=}); none unless set. */
        public Builder connectionsPath(String value) {
            connectionsPath = value;
            return this;
        }

        /**
         * Serves the Mercure protocol at this path (usually {@code /.well-known/mercure}); not
         * served unless set. Anonymous subscribers (public updates only) are allowed unless turned off.
         */
        public Builder mercure(String path, boolean anonymousSubscribers) {
            mercurePath = path;
            mercureAnonymous = anonymousSubscribers;
            return this;
        }

        /**
         * Turns on Mercure's active subscriptions (with {@link #mercure}): updates when they start
         * and end, and the API under {@code <hub>/subscriptions}, across the nodes that share
         * through this presence; ends are noticed within {@code sweepEvery}. Off unless set.
         */
        public Builder mercureSubscriptions(Presence presence, java.time.Duration sweepEvery) {
            subscriptionsPresence = Objects.requireNonNull(presence);
            subscriptionsSweep = Objects.requireNonNull(sweepEvery);
            return this;
        }

        /** The most topics one subscription may select; 64 by default. */
        public Builder maxTopics(int value) {
            maxTopics = value;
            return this;
        }

        /** The largest event data the hub accepts; sizes the largest body read. 64 KiB by default. */
        public Builder maxEventBytes(long value) {
            maxEventBytes = value;
            return this;
        }

        /** The largest publish body read, overriding the size derived from {@link #maxEventBytes}. */
        public Builder maxBodyBytes(int value) {
            maxBodyBytes = value;
            return this;
        }

        /**
         * Events a second one publisher (a user, or an address for tokens without a subject) may
         * publish, in bursts of up to {@code burst}; zero (the default) for no limit. Admins and
         * trusted callers are never limited.
         */
        public Builder publishRate(double perSecond, double burst) {
            publishRate = perSecond;
            publishBurst = burst;
            return this;
        }

        /** The clock of the rate limiter. */
        public Builder clock(InstantSource value) {
            clock = Objects.requireNonNull(value);
            return this;
        }

        public HeraldApi build() {
            if (presence != null && (presencePath.equals(eventsPath) || presencePath.equals(connectionsPath))) {
                throw new IllegalArgumentException("the presence path " + presencePath + " is already the path of another endpoint");
            }
            if (connectionsPath != null && connectionsPath.equals(eventsPath)) {
                throw new IllegalArgumentException("the connections path " + connectionsPath + " is already the events path");
            }
            if (mercurePath != null && (mercurePath.equals(eventsPath) || mercurePath.equals(connectionsPath)
                    || presence != null && mercurePath.equals(presencePath))) {
                throw new IllegalArgumentException("the Mercure path " + mercurePath + " is already the path of another endpoint");
            }
            return new HeraldApi(this);
        }
    }
}
