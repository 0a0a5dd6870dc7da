package dev.herald.spring.boot;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * Herald's settings, under {@code herald.*}. Every property has a default that suits a single
 * node; see the README for the essentials.
 */
@ConfigurationProperties("herald")
public class HeraldProperties {

    /** Whether to configure the hub and its endpoints at all. */
    private boolean enabled = true;

    /** The reconnection delay sent to every client when it connects (the SSE {@code retry:} field). */
    private Duration retry = Duration.ofSeconds(3);

    /** Idle time after which a connection gets a heartbeat comment; 0 disables heartbeats. */
    private Duration heartbeat = Duration.ofSeconds(15);

    /** How long a stream lives before the hub ends it and the client resumes; 0 for no limit. */
    private Duration maxStreamLifetime = Duration.ofHours(1);

    /** The most connections the hub holds at once; more are refused with 503. */
    private int maxConnections = 10_000;

    /** The most connections one user holds at once; more are refused with 429. */
    private int maxConnectionsPerUser = 16;

    /** The delay suggested (Retry-After) to clients refused by a connection limit. */
    private Duration limitRetryAfter = Duration.ofSeconds(10);

    /** Frames one connection may have waiting; a connection further behind is closed and resumes. */
    private int queueCapacity = 4096;

    /** The largest event data accepted by publish, in UTF-8 bytes; larger is refused with 413. */
    private DataSize maxEventSize = DataSize.ofKilobytes(64);

    /** How long one write to a client may block before the connection is given up. */
    private Duration writeTimeout = Duration.ofSeconds(30);

    /** How long shutdown waits for streams to finish writing what they have queued. */
    private Duration shutdownTimeout = Duration.ofSeconds(5);

    /**
     * The window over which a node's clients reconnect after it shuts down: each open stream is
     * sent a reconnection delay (retry) drawn uniformly from zero to this before it ends, so a
     * restarted node's clients do not all come back in the same second. Zero sends none.
     */
    private Duration shutdownRetrySpread = Duration.ofSeconds(5);

    /** Where embedded stores keep their files (the H2 history). */
    private Path dataDir = Path.of("data");

    private final Endpoint endpoint = new Endpoint();

    private final History history = new History();

    private final Redis redis = new Redis();

    private final Cors cors = new Cors();

    private final Auth auth = new Auth();

    private final Limits limits = new Limits();

    private final Mercure mercure = new Mercure();

    /** Bytes of events one connection may have waiting; a connection further behind is closed and resumes. */
    private DataSize queueCapacityBytes = DataSize.ofMegabytes(4);

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public Duration getRetry() {
        return retry;
    }

    public void setRetry(Duration retry) {
        this.retry = retry;
    }

    public Duration getHeartbeat() {
        return heartbeat;
    }

    public void setHeartbeat(Duration heartbeat) {
        this.heartbeat = heartbeat;
    }

    public Duration getMaxStreamLifetime() {
        return maxStreamLifetime;
    }

    public void setMaxStreamLifetime(Duration maxStreamLifetime) {
        this.maxStreamLifetime = maxStreamLifetime;
    }

    public int getMaxConnections() {
        return maxConnections;
    }

    public void setMaxConnections(int maxConnections) {
        this.maxConnections = maxConnections;
    }

    public int getMaxConnectionsPerUser() {
        return maxConnectionsPerUser;
    }

    public void setMaxConnectionsPerUser(int maxConnectionsPerUser) {
        this.maxConnectionsPerUser = maxConnectionsPerUser;
    }

    public Duration getLimitRetryAfter() {
        return limitRetryAfter;
    }

    public void setLimitRetryAfter(Duration limitRetryAfter) {
        this.limitRetryAfter = limitRetryAfter;
    }

    public int getQueueCapacity() {
        return queueCapacity;
    }

    public void setQueueCapacity(int queueCapacity) {
        this.queueCapacity = queueCapacity;
    }

    public DataSize getMaxEventSize() {
        return maxEventSize;
    }

    public void setMaxEventSize(DataSize maxEventSize) {
        this.maxEventSize = maxEventSize;
    }

    public Path getDataDir() {
        return dataDir;
    }

    public void setDataDir(Path dataDir) {
        this.dataDir = dataDir;
    }

    public Duration getWriteTimeout() {
        return writeTimeout;
    }

    public void setWriteTimeout(Duration writeTimeout) {
        this.writeTimeout = writeTimeout;
    }

    public Duration getShutdownTimeout() {
        return shutdownTimeout;
    }

    public void setShutdownTimeout(Duration shutdownTimeout) {
        this.shutdownTimeout = shutdownTimeout;
    }

    public Duration getShutdownRetrySpread() {
        return shutdownRetrySpread;
    }

    public void setShutdownRetrySpread(Duration shutdownRetrySpread) {
        this.shutdownRetrySpread = shutdownRetrySpread;
    }

    public Endpoint getEndpoint() {
        return endpoint;
    }

    public History getHistory() {
        return history;
    }

    public Redis getRedis() {
        return redis;
    }

    public Cors getCors() {
        return cors;
    }

    public Auth getAuth() {
        return auth;
    }

    public Limits getLimits() {
        return limits;
    }

    public DataSize getQueueCapacityBytes() {
        return queueCapacityBytes;
    }

    public void setQueueCapacityBytes(DataSize queueCapacityBytes) {
        this.queueCapacityBytes = queueCapacityBytes;
    }

    public Mercure getMercure() {
        return mercure;
    }

    /**
     * The Mercure protocol beside Herald's own API: Mercure clients and publishers (Symfony, API
     * Platform, plain EventSource pages) work unchanged against the same hub, events and tokens.
     */
    public static class Mercure {

        /**
         * The hub's path, e.g. /.well-known/mercure; empty (the default in applications) to leave
         * Mercure out. The standalone server serves it at /.well-known/mercure.
         */
        private String path = "";

        /** Whether subscribers without a token may subscribe (to public updates only). */
        private boolean anonymous = true;

        /**
         * Whether to track active subscriptions, as Mercure's "subscriptions" directive does: a
         * private update when each starts and ends, and the API under the hub's path
         * (/subscriptions), across the cluster. Each stream's start and end is then stored in the
         * history.
         */
        private boolean subscriptions = false;

        public boolean isSubscriptions() {
            return subscriptions;
        }

        public void setSubscriptions(boolean subscriptions) {
            this.subscriptions = subscriptions;
        }

        public String getPath() {
            return path;
        }

        public void setPath(String path) {
            this.path = path;
        }

        public boolean isAnonymous() {
            return anonymous;
        }

        public void setAnonymous(boolean anonymous) {
            this.anonymous = anonymous;
        }
    }

    /** The HTTP endpoints. */
    public static class Endpoint {

        /** Whether to register the subscribe and publish endpoints. */
        private boolean enabled = true;

        /** The path of the endpoints: GET subscribes (SSE), POST publishes (JSON). */
        private String path = "/events";

        /**
         * The path of the presence API (GET ?topic= or ?user=, across the cluster), e.g. /presence;
         * empty (the default in applications) to leave it out. It tells who is online: guard it
         * with HeraldAuthenticator.authorizePresence. The standalone server serves it at /presence.
         */
        private String presencePath = "";

        /**
         * The path where an admin (or the user itself) ends a user's streams on every node:
         * DELETE ?user=U. Empty (the default in applications) to leave it out; the standalone
         * server serves it at /connections.
         */
        private String connectionsPath = "";

        public String getConnectionsPath() {
            return connectionsPath;
        }

        public void setConnectionsPath(String connectionsPath) {
            this.connectionsPath = connectionsPath;
        }

        public String getPresencePath() {
            return presencePath;
        }

        public void setPresencePath(String presencePath) {
            this.presencePath = presencePath;
        }

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public String getPath() {
            return path;
        }

        public void setPath(String path) {
            this.path = path;
        }
    }

    /** The event history (used when no other EventLog bean is defined). */
    public static class History {

        /**
         * Where events are kept: {@code memory} (lost on restart), {@code h2} (an embedded H2
         * database in {@code herald.data-dir}; needs herald-jdbc and H2) or {@code jdbc} (the
         * database at {@code herald.history.jdbc.url}, else the application's DataSource; needs
         * herald-jdbc and the driver). Unset: {@code jdbc} if {@code herald.history.jdbc.url} is
         * set, else {@code default-store}.
         */
        private Store store;

        /** The store when neither {@code store} nor a JDBC URL is set (the standalone server sets {@code h2}). */
        private Store defaultStore = Store.MEMORY;

        /** The most events kept for replay. */
        private int maxEvents = 10_000;

        /** The oldest event kept for replay. */
        private Duration maxAge = Duration.ofHours(1);

        private final Jdbc jdbc = new Jdbc();

        public Store getStore() {
            return store;
        }

        public void setStore(Store store) {
            this.store = store;
        }

        /** The store in effect: the one set, else {@code jdbc} when a JDBC URL is set, else {@code memory}. */
        public Store effectiveStore() {
            if (store != null) {
                return store;
            }
            return jdbc.getUrl() != null && !jdbc.getUrl().isBlank() ? Store.JDBC : defaultStore;
        }

        public Store getDefaultStore() {
            return defaultStore;
        }

        public void setDefaultStore(Store defaultStore) {
            this.defaultStore = defaultStore;
        }

        public int getMaxEvents() {
            return maxEvents;
        }

        public void setMaxEvents(int maxEvents) {
            this.maxEvents = maxEvents;
        }

        public Duration getMaxAge() {
            return maxAge;
        }

        public void setMaxAge(Duration maxAge) {
            this.maxAge = maxAge;
        }

        public Jdbc getJdbc() {
            return jdbc;
        }

        /** Kinds of event store. */
        public enum Store {
            MEMORY, H2, JDBC
        }

        /** A database of Herald's own (PostgreSQL 15+, or H2), instead of the application's DataSource. */
        public static class Jdbc {

            /** The JDBC URL, e.g. {@code jdbc:postgresql://db:5432/herald?reWriteBatchedInserts=true}. */
            private String url;

            /** The database user. */
            private String username;

            /** The database password. */
            private String password;

            /** The most pooled connections (each held for one statement, never for a stream). */
            private int maxPoolSize = 8;

            /** How long an append waits for a connection (so, while the database is down) before 503. */
            private Duration connectionTimeout = Duration.ofSeconds(5);

            public String getUrl() {
                return url;
            }

            public void setUrl(String url) {
                this.url = url;
            }

            public String getUsername() {
                return username;
            }

            public void setUsername(String username) {
                this.username = username;
            }

            public String getPassword() {
                return password;
            }

            public void setPassword(String password) {
                this.password = password;
            }

            public int getMaxPoolSize() {
                return maxPoolSize;
            }

            public void setMaxPoolSize(int maxPoolSize) {
                this.maxPoolSize = maxPoolSize;
            }

            public Duration getConnectionTimeout() {
                return connectionTimeout;
            }

            public void setConnectionTimeout(Duration connectionTimeout) {
                this.connectionTimeout = connectionTimeout;
            }
        }
    }

    /**
     * Cluster mode: nodes that share one Redis share their event history, live events, delivery
     * cursors and presence. Set the URL (or Spring's spring.data.redis.url / host) to turn it on.
     */
    public static class Redis {

        /**
         * The Redis to cluster on, as redis://[user:password@]host:port[/database] (rediss:// for
         * TLS, redis-sentinel://host:port#master for Sentinel). Unset: a single node, unless
         * spring-data is on.
         */
        private String url;

        /**
         * Whether, without herald.redis.url, Spring's spring.data.redis.url (or .host and friends)
         * also turns on cluster mode, on that Redis. Off in applications (whose Redis may serve
         * something else); on in the standalone server.
         */
        private boolean springData;

        public boolean isSpringData() {
            return springData;
        }

        public void setSpringData(boolean springData) {
            this.springData = springData;
        }

        /** Separates clusters that share one Redis: every key starts with {namespace}. */
        private String namespace = "herald";

        /** This node's id in the cluster's presence; host name, process id and a random part if unset. */
        private String node;

        /** How long one Redis command may take before it counts as failed (and a publish answers 503). */
        private Duration timeout = Duration.ofSeconds(2);

        /** How often this node tells the cluster who is connected to it; others see it at most this late. */
        private Duration presenceInterval = Duration.ofSeconds(1);

        public String getUrl() {
            return url;
        }

        public void setUrl(String url) {
            this.url = url;
        }

        public String getNamespace() {
            return namespace;
        }

        public void setNamespace(String namespace) {
            this.namespace = namespace;
        }

        public String getNode() {
            return node;
        }

        public void setNode(String node) {
            this.node = node;
        }

        public Duration getTimeout() {
            return timeout;
        }

        public void setTimeout(Duration timeout) {
            this.timeout = timeout;
        }

        public Duration getPresenceInterval() {
            return presenceInterval;
        }

        public void setPresenceInterval(Duration presenceInterval) {
            this.presenceInterval = presenceInterval;
        }
    }

    /** Cross-origin access for browser front-ends served from another origin. */
    public static class Cors {

        /**
         * Origins (or patterns such as {@code https://*.example.com}) allowed to subscribe and
         * publish from a browser, with credentials. Empty means same-origin only.
         */
        private List<String> allowedOrigins = new ArrayList<>();

        /** How long browsers may cache a preflight response. */
        private Duration maxAge = Duration.ofMinutes(30);

        public List<String> getAllowedOrigins() {
            return allowedOrigins;
        }

        public void setAllowedOrigins(List<String> allowedOrigins) {
            this.allowedOrigins = allowedOrigins;
        }

        public Duration getMaxAge() {
            return maxAge;
        }

        public void setMaxAge(Duration maxAge) {
            this.maxAge = maxAge;
        }
    }

    /**
     * Who callers are and what they may do, when the application defines no HeraldAuthenticator
     * bean. With none of {@code jwt.*} or {@code callback-url} set, authentication is off: the
     * standalone server then listens on loopback only, and an application trusts loopback callers
     * only (others are anonymous), unless {@code insecure} is true.
     */
    public static class Auth {

        /** JSON Web Tokens (HS256/384/512 with a secret; RS, PS, ES, EdDSA with a public key or a JWK set). */
        private final Jwt jwt = new Jwt();

        /** The cookie a token may come in (after the Authorization: Bearer header, before the query). */
        private String cookieName = "herald_token";

        /**
         * The query parameter a token may come in, for EventSource, which cannot send headers (the
         * parameter "token" is accepted too); empty to accept tokens in headers and cookies only.
         * Query tokens never reach logs.
         */
        private String queryParameter = "access_token";

        /**
         * An HTTP endpoint of the application that decides who a caller is (for applications with
         * their own sessions): Herald POSTs the request's cookies, Authorization header, address
         * and topics, and the application answers with the user and its grants, or 401/403.
         */
        private URI callbackUrl;

        /** How long the callback may take before the request is refused with 503. */
        private Duration callbackTimeout = Duration.ofSeconds(2);

        /** How long the callback's answer for the same cookies, Authorization and address is reused. */
        private Duration callbackCache = Duration.ofSeconds(30);

        /**
         * Whether callers without a token may subscribe to the public topics (and receive public,
         * untargeted events only) when authentication is configured.
         */
        private boolean anonymous = true;

        /** Topic selectors anyone may subscribe to for public events; "*" for every topic. */
        private List<String> publicTopics = new ArrayList<>(List.of("*"));

        /**
         * Trust every caller without authentication: anyone may publish and claim any user with the
         * user parameter. Only for networks where every client is trusted.
         */
        private boolean insecure;

        /** The query parameter naming the caller's user id when callers are trusted without authentication. */
        private String userParameter = "user";

        /** Whether any authentication (JWT keys or the callback) is configured. */
        public boolean isConfigured() {
            return jwt.hasKeys() || jwt.publisher.hasKeys() || callbackUrl != null;
        }

        public Jwt getJwt() {
            return jwt;
        }

        public String getCookieName() {
            return cookieName;
        }

        public void setCookieName(String cookieName) {
            this.cookieName = cookieName;
        }

        public String getQueryParameter() {
            return queryParameter;
        }

        public void setQueryParameter(String queryParameter) {
            this.queryParameter = queryParameter;
        }

        public URI getCallbackUrl() {
            return callbackUrl;
        }

        public void setCallbackUrl(URI callbackUrl) {
            this.callbackUrl = callbackUrl;
        }

        public Duration getCallbackTimeout() {
            return callbackTimeout;
        }

        public void setCallbackTimeout(Duration callbackTimeout) {
            this.callbackTimeout = callbackTimeout;
        }

        public Duration getCallbackCache() {
            return callbackCache;
        }

        public void setCallbackCache(Duration callbackCache) {
            this.callbackCache = callbackCache;
        }

        public boolean isAnonymous() {
            return anonymous;
        }

        public void setAnonymous(boolean anonymous) {
            this.anonymous = anonymous;
        }

        public List<String> getPublicTopics() {
            return publicTopics;
        }

        public void setPublicTopics(List<String> publicTopics) {
            this.publicTopics = publicTopics;
        }

        public boolean isInsecure() {
            return insecure;
        }

        public void setInsecure(boolean insecure) {
            this.insecure = insecure;
        }

        public String getUserParameter() {
            return userParameter;
        }

        public void setUserParameter(String userParameter) {
            this.userParameter = userParameter;
        }

        /** The keys that verify tokens, and what a token must say. */
        public static class Jwt extends Keys {

            /** The expected issuer ({@code iss}); not checked when unset. */
            private String issuer;

            /** The expected audience (one of {@code aud}); not checked when unset. */
            private String audience;

            /** Leeway for {@code exp} and {@code nbf}, for clocks that disagree a little. */
            private Duration clockSkew = Duration.ofSeconds(30);

            /** Keys for publishing only: when set, tokens on publish requests are verified with these and no others. */
            private final Keys publisher = new Keys();

            public String getIssuer() {
                return issuer;
            }

            public void setIssuer(String issuer) {
                this.issuer = issuer;
            }

            public String getAudience() {
                return audience;
            }

            public void setAudience(String audience) {
                this.audience = audience;
            }

            public Duration getClockSkew() {
                return clockSkew;
            }

            public void setClockSkew(Duration clockSkew) {
                this.clockSkew = clockSkew;
            }

            public Keys getPublisher() {
                return publisher;
            }
        }

        /** Where token signatures are verified from; set one or more. */
        public static class Keys {

            /** The HMAC secret of HS256/384/512 tokens, at least 32 bytes (give it through an environment variable). */
            private String secret;

            /** A PEM file with the public key of RS*, PS*, ES* or EdDSA tokens. */
            private Path publicKey;

            /** A JWK Set URL; keys are cached and refetched when a token names an unknown key id. */
            private URI jwksUri;

            /** Whether any key is set. */
            public boolean hasKeys() {
                return (secret != null && !secret.isEmpty()) || publicKey != null || jwksUri != null;
            }

            public String getSecret() {
                return secret;
            }

            public void setSecret(String secret) {
                this.secret = secret;
            }

            public Path getPublicKey() {
                return publicKey;
            }

            public void setPublicKey(Path publicKey) {
                this.publicKey = publicKey;
            }

            public URI getJwksUri() {
                return jwksUri;
            }

            public void setJwksUri(URI jwksUri) {
                this.jwksUri = jwksUri;
            }
        }
    }

    /** Limits against abuse. Refusals are problems with a 4xx status, and change nothing. */
    public static class Limits {

        /** Events a second one publisher (a token's subject, or an address) may publish on average; 0 for no limit. Admin tokens are not limited. */
        private double publishRate = 1000;

        /** Events one publisher may publish in a burst beyond its rate; 0 means the rate itself. */
        private double publishBurst;

        /** The most topic selectors one subscription may hold. */
        private int maxTopicsPerSubscription = 64;

        /** The largest publish request body; unset: derived from herald.max-event-size. */
        private DataSize maxRequestBody;

        /** (Standalone server) TCP connections one client address may hold; trusted proxies are not counted. */
        private int maxConnectionsPerAddress = 1000;

        /** (Standalone server) How long a request's head and body may take to arrive; slower gets 408 and is closed. */
        private Duration requestTimeout = Duration.ofSeconds(10);

        /** (Standalone server) How long a keep-alive connection may wait between requests before it is closed. */
        private Duration idleTimeout = Duration.ofSeconds(60);

        /** (Standalone server) The longest request line (method, URL, version); longer gets 414. */
        private DataSize maxRequestLine = DataSize.ofKilobytes(8);

        /** (Standalone server) The most bytes of request headers; more gets 431. */
        private DataSize maxHeaderSize = DataSize.ofKilobytes(16);

        /** (Standalone server) The most query parameters one request may carry. */
        private int maxQueryParameters = 256;

        /** (Standalone server) HTTP/2 streams (requests and event streams) one connection may have open at once. */
        private int maxConcurrentStreams = 256;

        public int getMaxConcurrentStreams() {
            return maxConcurrentStreams;
        }

        public void setMaxConcurrentStreams(int maxConcurrentStreams) {
            this.maxConcurrentStreams = maxConcurrentStreams;
        }

        /**
         * (Standalone server) Each connection's socket send buffer (the kernel doubles it): bounds
         * what the kernel holds for a client that stops reading before Herald drops it. 0 lets the
         * operating system size it (on Linux, up to megabytes per connection).
         */
        private DataSize socketSendBuffer = DataSize.ofKilobytes(64);

        public DataSize getSocketSendBuffer() {
            return socketSendBuffer;
        }

        public void setSocketSendBuffer(DataSize socketSendBuffer) {
            this.socketSendBuffer = socketSendBuffer;
        }

        /**
         * Proxies (addresses or CIDR blocks) whose X-Forwarded-For names the client, for limits per
         * address and for telling loopback callers apart. Empty: the peer is the client.
         */
        private List<String> trustedProxies = new ArrayList<>();

        public double getPublishRate() {
            return publishRate;
        }

        public void setPublishRate(double publishRate) {
            this.publishRate = publishRate;
        }

        public double getPublishBurst() {
            return publishBurst;
        }

        public void setPublishBurst(double publishBurst) {
            this.publishBurst = publishBurst;
        }

        public int getMaxTopicsPerSubscription() {
            return maxTopicsPerSubscription;
        }

        public void setMaxTopicsPerSubscription(int maxTopicsPerSubscription) {
            this.maxTopicsPerSubscription = maxTopicsPerSubscription;
        }

        public DataSize getMaxRequestBody() {
            return maxRequestBody;
        }

        public void setMaxRequestBody(DataSize maxRequestBody) {
            this.maxRequestBody = maxRequestBody;
        }

        public int getMaxConnectionsPerAddress() {
            return maxConnectionsPerAddress;
        }

        public void setMaxConnectionsPerAddress(int maxConnectionsPerAddress) {
            this.maxConnectionsPerAddress = maxConnectionsPerAddress;
        }

        public Duration getRequestTimeout() {
            return requestTimeout;
        }

        public void setRequestTimeout(Duration requestTimeout) {
            this.requestTimeout = requestTimeout;
        }

        public Duration getIdleTimeout() {
            return idleTimeout;
        }

        public void setIdleTimeout(Duration idleTimeout) {
            this.idleTimeout = idleTimeout;
        }

        public DataSize getMaxRequestLine() {
            return maxRequestLine;
        }

        public void setMaxRequestLine(DataSize maxRequestLine) {
            this.maxRequestLine = maxRequestLine;
        }

        public DataSize getMaxHeaderSize() {
            return maxHeaderSize;
        }

        public void setMaxHeaderSize(DataSize maxHeaderSize) {
            this.maxHeaderSize = maxHeaderSize;
        }

        public int getMaxQueryParameters() {
            return maxQueryParameters;
        }

        public void setMaxQueryParameters(int maxQueryParameters) {
            this.maxQueryParameters = maxQueryParameters;
        }

        public List<String> getTrustedProxies() {
            return trustedProxies;
        }

        public void setTrustedProxies(List<String> trustedProxies) {
            this.trustedProxies = trustedProxies;
        }
    }
}
