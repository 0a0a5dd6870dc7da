package dev.herald.redis;

import dev.herald.core.ConnectionInfo;
import dev.herald.core.EventLogException;
import dev.herald.core.Hub;
import dev.herald.core.Presence;
import dev.herald.core.TopicSelector;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Presence across the cluster. Each node publishes what its hub has open (streams per exact topic
 * selector, per pattern selector and per user) to Redis every interval, rewriting it only when it
 * changed, with a time to live of three intervals: a node that dies drops out of every count
 * within that. Queries count this node's connections as they are now and the other nodes' as they
 * last reported.
 *
 * <p>Documents {@linkplain #share shared} by a node go with its presence: published on the next
 * interval (rewritten only when one changed, else only kept alive), with the same time to live,
 * deleted when the node closes its presence, and read only from nodes still live. Made by
 * {@link HeraldRedis#presence(Hub)}.
 */
public final class RedisPresence implements Presence, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RedisPresence.class);
    private static final Script PUBLISH = Script.load("presence-publish");
    private static final Script QUERY = Script.load("presence-query");
    private static final Script SHARE = Script.load("presence-share");
    private static final Script SHARED = Script.load("presence-shared");

    private final Hub hub;
    private final RedisAsyncCommands<String, String> redis;
    private final Keys keys;
    private final String node;
    private final Duration interval;
    private final Duration timeout;
    private final ScheduledExecutorService publisher;
    private Snapshot published;
    /** The documents this node shares, as they are now. */
    private final Map<String, String> documents = new ConcurrentHashMap<>();
    /** Counts changes to {@link #documents}, each made after the change. */
    private final AtomicLong documentsVersion = new AtomicLong();
    /** The {@link #documentsVersion} last written to Redis; -1 when they must be written whole. Guarded by this. */
    private long documentsPublished = -1;
    /** The other nodes' count and streams as of the last publish: {@link #recentSummary()} adds this node's. */
    private volatile long[] others = {0, 0};
    private volatile boolean failing;

    RedisPresence(Hub hub, RedisAsyncCommands<String, String> redis, Keys keys, String node, Duration interval,
            Duration timeout) {
        this.hub = hub;
        this.redis = redis;
        this.keys = keys;
        this.node = node;
        this.interval = interval;
        this.timeout = timeout;
        this.publisher = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("herald-redis-presence").daemon(true).factory());
        long every = Math.max(1, interval.toMillis());
        publisher.scheduleWithFixedDelay(this::publish, 0, every, TimeUnit.MILLISECONDS);
    }

    Hub hub() {
        return hub;
    }

    /** This node's id in the cluster. */
    public String node() {
        return node;
    }

    @Override
    public long subscribers(String topic) {
        List<Object> reply = query("topic", topic);
        long count = (Long) reply.get(0) + Presence.countSelecting(hub.connections(), topic);
        List<?> patterns = (List<?>) reply.get(1);
        for (int i = 0; i + 1 < patterns.size(); i += 2) {
            if (TopicSelector.parse((String) patterns.get(i)).matches(topic)) {
                count += (Long) patterns.get(i + 1);
            }
        }
        return count;
    }

    @Override
    public long connections(String userId) {
        long local = hub.connections().stream()
                .filter(c -> c.state() != ConnectionInfo.State.CLOSING && userId.equals(c.userId()))
                .count();
        return (Long) query("user", userId).get(0) + local;
    }

    @Override
    public Summary summary() {
        List<Object> reply = query("summary", "");
        return new Summary((int) (long) (Long) reply.get(0) + 1, (Long) reply.get(1) + hub.stats().connections());
    }

    @Override
    public Summary recentSummary() {
        long[] known = others;
        return new Summary((int) known[0] + 1, known[1] + hub.stats().connections());
    }

    /**
     * Shares the document with the other nodes from the next presence interval on; {@code null}
     * withdraws it. Only changes a map here: never blocks.
     */
    @Override
    public void share(String name, String document) {
        Objects.requireNonNull(name, "name");
        if (document == null ? documents.remove(name) == null : document.equals(documents.put(name, document))) {
            return;
        }
        documentsVersion.incrementAndGet();
    }

    /**
     * This node's document under the name as it is now (if any), then those the other live nodes
     * last published, in the order of their ids. Blocks the calling thread on Redis, up to the
     * timeout: never call it on an event loop.
     *
     * @throws EventLogException if Redis could not answer
     */
    @Override
    public List<String> shared(String name) {
        Objects.requireNonNull(name, "name");
        String mine = documents.get(name);
        List<Object> others = ask(SHARED, new String[] {keys.nodes()}, keys.prefix(), node, name);
        List<String> all = new ArrayList<>(others.size() + 1);
        if (mine != null) {
            all.add(mine);
        }
        for (Object document : others) {
            all.add((String) document);
        }
        return java.util.Collections.unmodifiableList(all);
    }

    private List<Object> query(String what, String name) {
        return ask(QUERY, new String[] {keys.nodes(), keys.totals()}, keys.prefix(), node, what, name);
    }

    private List<Object> ask(Script script, String[] scriptKeys, String... args) {
        try {
            return script.<List<Object>>run(redis, scriptKeys, args).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new EventLogException("Redis could not answer a presence query: " + e, e);
        }
    }

    /** Publishes this node's presence: the whole of it when it changed, else only a keep-alive. */
    synchronized void publish() {
        Snapshot now = Snapshot.of(hub.connections());
        boolean replace = !now.equals(published);
        long ttl = interval.toMillis() * 3;
        List<String> args = new ArrayList<>();
        args.add(node);
        args.add(Long.toString(ttl));
        args.add(Long.toString(now.total()));
        args.add(replace ? "1" : "0");
        if (replace) {
            args.add(Integer.toString(now.topics().size()));
            args.add(Integer.toString(now.patterns().size()));
            args.add(Integer.toString(now.users().size()));
            for (Map<String, Long> counts : List.of(now.topics(), now.patterns(), now.users())) {
                counts.forEach((name, count) -> {
                    args.add(name);
                    args.add(Long.toString(count));
                });
            }
        }
        String[] scriptKeys = {keys.nodes(), keys.totals(), keys.topics(node), keys.patterns(node), keys.users(node)};
        try {
            List<?> reply = PUBLISH.<List<?>>run(redis, scriptKeys, args.toArray(String[]::new))
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (Long.valueOf(0).equals(reply.getFirst())) {
                // Redis lost this node's hashes (a restart without persistence, a flush): send them whole.
                published = null;
                publish();
                return;
            }
            published = now;
            publishDocuments(ttl);
            List<Object> summary = query("summary", "");
            others = new long[] {(Long) summary.get(0), (Long) summary.get(1)};
            if (failing) {
                failing = false;
                log.info("Presence is published to Redis again");
            }
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            published = null;
            documentsPublished = -1;
            if (!failing) {
                failing = true;
                log.warn("Could not publish presence to Redis; retrying: {}", e.toString());
            }
        }
    }

    /** Publishes this node's documents: all of them when one changed since the last write, else only a keep-alive. */
    private void publishDocuments(long ttl) throws Exception {
        long version = documentsVersion.get();
        boolean replace = version != documentsPublished;
        Map<String, String> now = Map.copyOf(documents);
        List<String> args = new ArrayList<>();
        args.add(Long.toString(ttl));
        args.add(Integer.toString(now.size()));
        args.add(replace ? "1" : "0");
        if (replace) {
            now.forEach((name, document) -> {
                args.add(name);
                args.add(document);
            });
        }
        List<?> reply = SHARE.<List<?>>run(redis, new String[] {keys.documents(node)}, args.toArray(String[]::new))
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (Long.valueOf(0).equals(reply.getFirst())) {
            // Redis lost this node's documents: send them whole.
            documentsPublished = -1;
            publishDocuments(ttl);
            return;
        }
        documentsPublished = version;
    }

    /** Stops publishing and withdraws this node's presence, its shared documents included. Safe to call twice. */
    @Override
    public void close() {
        if (publisher.isShutdown()) {
            return;
        }
        publisher.shutdown();
        try {
            publisher.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
            redis.zrem(keys.nodes(), node);
            redis.hdel(keys.totals(), node);
            redis.del(keys.topics(node), keys.patterns(node), keys.users(node), keys.documents(node)).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            log.debug("Could not withdraw presence of node {}: {}", node, e.toString());
        }
    }

    /** What one node has open. */
    record Snapshot(Map<String, Long> topics, Map<String, Long> patterns, Map<String, Long> users, long total) {

        static Snapshot of(List<ConnectionInfo> connections) {
            Map<String, Long> selectors = new java.util.HashMap<>();
            Map<String, Long> users = new TreeMap<>();
            long total = 0;
            for (ConnectionInfo connection : connections) {
                if (connection.state() == ConnectionInfo.State.CLOSING) {
                    continue;
                }
                total++;
                if (connection.userId() != null) {
                    users.merge(connection.userId(), 1L, Long::sum);
                }
                for (String selector : new java.util.LinkedHashSet<>(connection.topics())) {
                    selectors.merge(selector, 1L, Long::sum);
                }
            }
            // Each distinct selector is parsed once, to sort exact topics from patterns.
            Map<String, Long> topics = new TreeMap<>();
            Map<String, Long> patterns = new TreeMap<>();
            selectors.forEach((selector, count) ->
                    (TopicSelector.parse(selector) instanceof TopicSelector.Exact ? topics : patterns).put(selector, count));
            return new Snapshot(topics, patterns, users, total);
        }
    }
}
