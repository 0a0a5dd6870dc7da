package dev.herald.redis;

import dev.herald.core.DeliveryCursors;
import dev.herald.core.EventBus;
import dev.herald.core.EventLog;
import dev.herald.core.Hub;
import dev.herald.core.RetentionPolicy;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A Herald node's connection to the cluster's Redis: the shared {@link EventLog}, the
 * {@link EventBus}, the {@link DeliveryCursors} and {@link dev.herald.core.Presence} of every node
 * that uses the same Redis and namespace.
 *
 * <pre>{@code
 * HeraldRedis redis = HeraldRedis.builder("redis://127.0.0.1:6379").build();
 * Hub hub = Hub.builder()
 *         .eventLog(redis.eventLog())
 *         .eventBus(redis.eventBus())
 *         .deliveryCursors(redis.deliveryCursors())
 *         .build();
 * RedisPresence presence = redis.presence(hub);
 * // ... on shutdown: hub.close(); redis.close();
 * }</pre>
 *
 * <p>Lettuce reconnects by itself with backoff; while it is disconnected, commands fail at once
 * (appends with {@code EventLogException}, which the HTTP layer answers with {@code 503}) rather
 * than queueing. Closing closes everything made here, presence first, then cursors, log and the
 * client.
 */
public final class HeraldRedis implements AutoCloseable {

    private final RedisClient client;
    private final ClientResources resources;
    private final StatefulRedisConnection<String, String> connection;
    private final StatefulRedisConnection<String, String> followerConnection;
    private final Keys keys;
    private final String node;
    private final Duration timeout;
    private final Duration presenceInterval;
    private final InstantSource clock;
    private final RedisEventLog eventLog;
    private final RedisEventBus eventBus;
    private final RedisDeliveryCursors cursors;
    private final List<RedisPresence> presences = new ArrayList<>();
    private boolean closed;

    private HeraldRedis(Builder b) {
        this.keys = new Keys(b.namespace);
        this.node = b.node != null ? b.node : defaultNodeName();
        this.timeout = b.timeout;
        this.presenceInterval = b.presenceInterval;
        this.clock = b.clock;
        this.resources = ClientResources.builder()
                .reconnectDelay(Delay.exponential(Duration.ofMillis(50), Duration.ofSeconds(2), 2, java.util.concurrent.TimeUnit.MILLISECONDS))
                .build();
        this.client = RedisClient.create(resources, b.uri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(b.timeout))
                .socketOptions(SocketOptions.builder().connectTimeout(b.timeout).keepAlive(true).build())
                .build());
        StatefulRedisConnection<String, String> commands = null;
        StatefulRedisConnection<String, String> follower = null;
        try {
            commands = client.connect();
            Script.install(commands.async()).get(b.timeout.toMillis() + 1000, java.util.concurrent.TimeUnit.MILLISECONDS);
            follower = client.connect();
            this.connection = commands;
            this.followerConnection = follower;
            this.eventLog = new RedisEventLog(commands, follower, keys, b.retention, b.clock, b.clockTolerance, b.timeout,
                    b.tailCapacity);
        } catch (RuntimeException | InterruptedException | java.util.concurrent.ExecutionException
                | java.util.concurrent.TimeoutException e) {
            closeQuietly(follower);
            closeQuietly(commands);
            client.shutdown();
            resources.shutdown();
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw e instanceof RuntimeException r ? r
                    : new io.lettuce.core.RedisException("Could not load Herald's functions into Redis (7.0 or newer needed): " + e, e);
        }
        this.eventBus = new RedisEventBus(eventLog);
        this.cursors = new RedisDeliveryCursors(connection.async(), keys, b.cursorFlushInterval, b.timeout);
    }

    private static void closeQuietly(StatefulRedisConnection<?, ?> connection) {
        if (connection != null) {
            connection.close();
        }
    }

    private static String defaultNodeName() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            host = "node";
        }
        byte[] random = new byte[4];
        ThreadLocalRandom.current().nextBytes(random);
        return host + "-" + ProcessHandle.current().pid() + "-" + HexFormat.of().formatHex(random);
    }

    /** Starts configuring a connection to the Redis at this URI ({@code redis://[user:password@]host:port[/db]}). */
    public static Builder builder(String uri) {
        return new Builder(RedisURI.create(Objects.requireNonNull(uri, "uri")));
    }

    /** Starts configuring a connection to this Redis. */
    public static Builder builder(RedisURI uri) {
        return new Builder(Objects.requireNonNull(uri, "uri"));
    }

    /** The shared log: give it to {@link Hub.Builder#eventLog}. Closed by {@link #close()}. */
    public RedisEventLog eventLog() {
        return eventLog;
    }

    /** The bus that wakes the hub when any node appended: give it to {@link Hub.Builder#eventBus}. */
    public EventBus eventBus() {
        return eventBus;
    }

    /** Shared delivery cursors: give them to {@link Hub.Builder#deliveryCursors}. */
    public RedisDeliveryCursors deliveryCursors() {
        return cursors;
    }

    /**
     * Starts publishing the hub's connections to the cluster as this node's; the presence answers
     * for the whole cluster. One per hub: asking again for the same hub returns the same presence.
     *
     * @throws IllegalStateException if this connection is closed, or already publishes another hub
     */
    public synchronized RedisPresence presence(Hub hub) {
        if (closed) {
            throw new IllegalStateException("closed");
        }
        for (RedisPresence existing : presences) {
            if (existing.hub() == hub) {
                return existing;
            }
        }
        if (!presences.isEmpty()) {
            throw new IllegalStateException("node " + node + " already publishes the presence of another hub");
        }
        RedisPresence presence = new RedisPresence(hub, connection.async(), keys, node, presenceInterval, timeout);
        presences.add(presence);
        return presence;
    }

    /** This node's id in the cluster's presence. */
    public String node() {
        return node;
    }

    /** Closes presence, cursors, log and connections, in that order. Safe to call twice. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        presences.forEach(RedisPresence::close);
        cursors.close();
        eventBus.close();
        eventLog.close();
        followerConnection.close();
        connection.close();
        client.shutdown(Duration.ZERO, timeout);
        resources.shutdown(0, timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /** Configures a {@link HeraldRedis}. */
    public static final class Builder {
        private final RedisURI uri;
        private String namespace = "herald";
        private String node;
        private RetentionPolicy retention = RetentionPolicy.defaults();
        private InstantSource clock = InstantSource.system();
        private Duration clockTolerance = Duration.ofMinutes(1);
        private Duration timeout = Duration.ofSeconds(2);
        private Duration presenceInterval = Duration.ofSeconds(1);
        private Duration cursorFlushInterval = Duration.ofSeconds(1);
        private int tailCapacity = 10_000;

        private Builder(RedisURI uri) {
            this.uri = uri;
        }

        /** Separates clusters sharing one Redis; part of every key ({@code {herald}:events}). "herald" by default. */
        public Builder namespace(String value) {
            namespace = Objects.requireNonNull(value);
            return this;
        }

        /** This node's id in presence; host name, process id and a random part by default. */
        public Builder node(String value) {
            node = Objects.requireNonNull(value);
            return this;
        }

        /** History kept in the stream: {@link RetentionPolicy#defaults()} by default. Every node should use the same. */
        public Builder retention(RetentionPolicy value) {
            retention = Objects.requireNonNull(value);
            return this;
        }

        /** The clock for event times, ids and retention by age. */
        public Builder clock(InstantSource value) {
            clock = Objects.requireNonNull(value);
            return this;
        }

        /**
         * How far a node's clock may run ahead of Redis's before retention by age stops trusting
         * it: trimming never goes further than Redis's clock plus this allows. One minute by default.
         */
        public Builder clockTolerance(Duration value) {
            clockTolerance = Objects.requireNonNull(value);
            return this;
        }

        /** How long one Redis command may take before it counts as failed; 2 s by default. */
        public Builder timeout(Duration value) {
            timeout = Objects.requireNonNull(value);
            return this;
        }

        /** How often this node publishes its presence; 1 s by default. Other nodes see it at most this late. */
        public Builder presenceInterval(Duration value) {
            presenceInterval = Objects.requireNonNull(value);
            return this;
        }

        /** How often delivery cursors are written; 1 s by default. */
        public Builder cursorFlushInterval(Duration value) {
            cursorFlushInterval = Objects.requireNonNull(value);
            return this;
        }

        /** How many recent events each node keeps in memory for reads near the head; 10,000 by default. */
        public Builder tailCapacity(int value) {
            tailCapacity = value;
            return this;
        }

        /**
         * Connects. Fails if Redis cannot be reached now; once connected, outages are ridden out.
         *
         * @throws io.lettuce.core.RedisException if Redis cannot be reached
         */
        public HeraldRedis build() {
            return new HeraldRedis(this);
        }
    }
}
