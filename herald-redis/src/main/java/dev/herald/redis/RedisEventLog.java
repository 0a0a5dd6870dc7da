package dev.herald.redis;

import dev.herald.core.Event;
import dev.herald.core.EventLog;
import dev.herald.core.EventLogException;
import dev.herald.core.LogHealth;
import dev.herald.core.LogPage;
import dev.herald.core.Publication;
import dev.herald.core.RetentionPolicy;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event log of a cluster: one Redis stream that every node appends to and follows. Made by
 * {@link HeraldRedis}, which owns the connections.
 *
 * <p>An append is one Lua script: it checks the publisher key, adds the entry with an id from the
 * publisher's clock (never below the stream's last id), trims by count ({@code MAXLEN}) and by
 * age ({@code MINID}), records the newest id trimmed away (the horizon), and remembers the key. Ids are stream ids as numbers ({@link StreamIds}), so
 * they mean the same on every node. Each node runs a follower thread that reads new entries in
 * stream order into a {@link Tail} and rings the hub's dispatcher; reads near the head are served
 * from there, others (and reads the tail is not sure of) from Redis.
 *
 * <p>While Redis is unreachable, appends and cold reads fail with {@link EventLogException} (the
 * HTTP layer answers {@code 503}); the follower retries with backoff and, once Redis is back,
 * continues from the last id it read, so nothing is skipped or read twice. {@link #health()}
 * tells readiness probes whether Redis answers, and how far behind the follower is.
 */
public final class RedisEventLog implements EventLog {

    private static final Logger log = LoggerFactory.getLogger(RedisEventLog.class);
    private static final Script APPEND = Script.load("append");
    private static final Script READ = Script.load("read");
    private static final Script ID_OF_KEY = Script.load("id-of-key");
    private static final Script REPAIR = Script.load("repair");
    private static final int FOLLOW_PAGE = 1024;
    /** Publisher keys are remembered for the maximum age, but not past this. */
    private static final long MAX_KEY_MILLIS = Duration.ofDays(3650).toMillis();
    /** The {@code user:password@} of a URI, masked in what health checks report. */
    private static final Pattern USER_INFO = Pattern.compile("(?i)(\\b[a-z][a-z0-9+.-]*://)[^/@\\s]*@");

    private final RedisAsyncCommands<String, String> redis;
    private final StatefulRedisConnection<String, String> followerConnection;
    private final String streamKey;
    private final String horizonKey;
    private final String publisherKeyPrefix;
    private final RetentionPolicy retention;
    private final InstantSource clock;
    private final Duration timeout;
    /** How long the follower waits in XREAD: below the command timeout, which also applies to it. */
    private final Duration block;
    private final long maxAgeMillis;
    private final long clockToleranceMillis;
    private final Tail tail;
    /** The highest id this log has shown anyone (appended or read from Redis); the tail must reach it to answer. */
    private final AtomicLong revealed = new AtomicLong();
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private final Thread follower;
    private volatile boolean running = true;
    /** {@link System#nanoTime()} when the follower last read the stream from Redis (or the log read its bounds). */
    private volatile long lastFollowed;
    /** The last entry skipped as not a Herald event, so each is reported once. */
    private volatile String lastSkipped;

    RedisEventLog(StatefulRedisConnection<String, String> connection, StatefulRedisConnection<String, String> followerConnection,
            Keys keys, RetentionPolicy retention, InstantSource clock, Duration clockTolerance, Duration timeout, int tailCapacity) {
        this.redis = connection.async();
        this.followerConnection = followerConnection;
        this.streamKey = keys.events();
        this.horizonKey = keys.horizon();
        this.publisherKeyPrefix = keys.publisherKeyPrefix();
        this.retention = retention;
        this.clock = clock;
        this.timeout = timeout;
        this.block = Duration.ofMillis(Math.max(10, Math.min(1000, timeout.toMillis() / 2)));
        this.maxAgeMillis = saturatedMillis(retention.maxAge());
        this.clockToleranceMillis = saturatedMillis(clockTolerance);
        Page bounds = await(read(Long.MAX_VALUE, 0));
        this.tail = new Tail(Math.min(tailCapacity, retention.maxEvents()), bounds.horizon(), bounds.last());
        this.lastFollowed = System.nanoTime();
        this.follower = Thread.ofPlatform().name("herald-redis-follower").daemon(true).unstarted(this::follow);
        follower.start();
    }

    @Override
    public Event append(Publication publication) {
        return await(appendAsync(publication));
    }

    @Override
    public CompletableFuture<Event> appendAsync(Publication publication) {
        long now = clock.millis();
        Publication stored = EventEntries.stored(publication);
        List<String> args = new ArrayList<>(24);
        args.add(Long.toString(now));
        args.add(Integer.toString(retention.maxEvents()));
        args.add(Long.toString(maxAgeMillis));
        args.add(Long.toString(clockToleranceMillis));
        args.add(Long.toString(Math.max(1, Math.min(maxAgeMillis, MAX_KEY_MILLIS))));
        args.addAll(EventEntries.fields(stored, now));
        String[] keys = stored.key() == null
                ? new String[] {streamKey, horizonKey}
                : new String[] {streamKey, horizonKey, publisherKeyPrefix + stored.key()};
        CompletableFuture<List<Object>> result;
        try {
            result = APPEND.run(redis, keys, args.toArray(String[]::new));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(unavailable("store the event", e));
        }
        return result.handle((reply, failure) -> {
            if (failure != null) {
                throw unavailable("store the event", unwrap(failure));
            }
            Event event;
            if (((Long) reply.get(0)) == 1L) {
                event = new Event(StreamIds.toEventId((String) reply.get(1)), Instant.ofEpochMilli(now), stored);
            } else {
                event = EventEntries.event((String) reply.get(1), (List<?>) reply.get(2));
            }
            revealed.accumulateAndGet(event.id(), Math::max);
            return event;
        });
    }

    @Override
    public LogPage readAfter(long afterId, int limit) {
        if (limit > 0) {
            LogPage cached = tail.read(afterId, limit, revealed.get(), oldestKept(clock.millis()));
            if (cached != null) {
                return cached;
            }
        }
        Page page = await(read(afterId, limit));
        revealed.accumulateAndGet(page.last(), Math::max);
        return new LogPage(page.events(), page.horizon(), page.last());
    }

    /**
     * The id of the retained event first published with this key, from the key's record (the
     * stream id append.lua stored) if that entry is still in the stream. Like a read from Redis,
     * it first trims what has grown too old, so a key whose event retention dropped is not found.
     * One function call; blocks for it. Any thread.
     *
     * @throws EventLogException if Redis could not be reached
     */
    @Override
    public OptionalLong idOfKey(String key) {
        Objects.requireNonNull(key, "key");
        String[] keys = {streamKey, horizonKey, publisherKeyPrefix + key};
        CompletableFuture<List<Object>> reply;
        try {
            reply = ID_OF_KEY.run(redis, keys, Long.toString(clock.millis()), Long.toString(maxAgeMillis),
                    Long.toString(clockToleranceMillis));
        } catch (RuntimeException e) {
            throw unavailable("look up the publisher key", e);
        }
        List<Object> found = await(reply.handle((result, failure) -> {
            if (failure != null) {
                throw unavailable("look up the publisher key", unwrap(failure));
            }
            return result;
        }));
        if (found.isEmpty()) {
            return OptionalLong.empty();
        }
        long id = StreamIds.toEventId((String) found.getFirst());
        // Shown to a client now, which may resume from it: the tail must have read it to answer.
        revealed.accumulateAndGet(id, Math::max);
        return OptionalLong.of(id);
    }

    /** True: the bounds come from Redis, so that an id issued by any node is known here. */
    @Override
    public boolean readsBlock() {
        return true;
    }

    /**
     * Whether Redis answers a {@code PING} on the log's connection within the command timeout.
     * Called by readiness probes and health endpoints every few seconds, on any thread; never
     * throws, and returns within the timeout.
     *
     * <p>Details, in order: {@code store} ("redis"), {@code followerLagMs} (how long ago this
     * node's follower last read the stream from Redis: below a second or so while it keeps up,
     * growing while it cannot read) and {@code lastId} (the last id the follower read); when
     * unreachable, also {@code error}: the failure's class and message, with credentials masked.
     */
    @Override
    public LogHealth health() {
        String error;
        try {
            error = running ? ping() : "the event log is closed";
        } catch (RuntimeException e) {
            error = describeForHealth(e);
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("store", "redis");
        details.put("followerLagMs", TimeUnit.NANOSECONDS.toMillis(Math.max(0, System.nanoTime() - lastFollowed)));
        details.put("lastId", tail.last());
        return error == null ? LogHealth.reachable(details) : LogHealth.unreachable(error, details);
    }

    /** Null if Redis answered PONG within the timeout, else what went wrong. */
    private String ping() {
        try {
            String reply = redis.ping().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return "PONG".equals(reply) ? null : "Redis answered PING with " + reply;
        } catch (TimeoutException e) {
            return "Redis did not answer within " + timeout.toMillis() + " ms";
        } catch (ExecutionException e) {
            return describeForHealth(unwrap(e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while checking Redis";
        }
    }

    /** The failure's class and message, with any URI credentials masked, for health endpoints. */
    static String describeForHealth(Throwable failure) {
        String message = failure.getMessage();
        String text = failure.getClass().getSimpleName() + (message == null ? "" : ": " + message.strip());
        Throwable cause = failure.getCause();
        if (cause != null && cause != failure && cause.getMessage() != null && !text.contains(cause.getMessage().strip())) {
            text += " (caused by " + cause.getClass().getSimpleName() + ": " + cause.getMessage().strip() + ")";
        }
        text = USER_INFO.matcher(text).replaceAll("$1***@");
        return text.length() <= 500 ? text : text.substring(0, 497) + "...";
    }

    /** Registers a listener run (on the follower thread) whenever new events were read. */
    Runnable listen(Runnable listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** Events appended before this time (in epoch ms) are past retention, as far as this node's clock says. */
    private long oldestKept(long now) {
        return Math.max(0, now - maxAgeMillis);
    }

    private static long saturatedMillis(Duration duration) {
        try {
            return duration.toMillis();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE / 4;
        }
    }

    /** One read script call: the bounds, and up to {@code limit} events after {@code afterId}. */
    private CompletableFuture<Page> read(long afterId, int limit) {
        String[] keys = {streamKey, horizonKey};
        CompletableFuture<List<Object>> reply;
        try {
            reply = READ.run(redis, keys, StreamIds.toStreamId(afterId), Integer.toString(limit),
                    Long.toString(clock.millis()), Long.toString(maxAgeMillis), Long.toString(clockToleranceMillis));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(unavailable("read the log", e));
        }
        return reply.handle((result, failure) -> {
            if (failure != null) {
                throw unavailable("read the log", unwrap(failure));
            }
            long last = StreamIds.toEventIdSaturated((String) result.get(0));
            long horizon = Math.min(last, StreamIds.toEventIdSaturated((String) result.get(1)));
            List<?> entries = (List<?>) result.get(2);
            List<Event> events = new ArrayList<>(entries.size());
            long upTo = afterId;
            for (Object entry : entries) {
                List<?> pair = (List<?>) entry;
                String id = (String) pair.get(0);
                upTo = StreamIds.toEventIdSaturated(id);
                try {
                    events.add(EventEntries.event(id, (List<?>) pair.get(1)));
                } catch (RuntimeException notOurs) {
                    // Written by someone else into Herald's stream: skipped, never a reason to stop following.
                    if (!id.equals(lastSkipped)) {
                        lastSkipped = id;
                        log.warn("Skipping stream entry {} of {}: not a Herald event ({})", id, streamKey, notOurs.getMessage());
                    }
                }
            }
            return new Page(events, horizon, last, upTo);
        });
    }

    /** Follows the stream into the tail and rings the listeners: the follower thread's loop. */
    private void follow() {
        long position = tail.last();
        long backoff = 0;
        while (running) {
            try {
                // Every id revealed before the read is sent was in Redis before the read runs (Redis answers
                // in order), so the stream cannot end below it unless Redis lost it.
                long seen = Math.max(position, revealed.get());
                Page page = await(read(position, FOLLOW_PAGE));
                lastFollowed = System.nanoTime();
                if (backoff > 0) {
                    log.info("Redis is reachable again; following the event stream from {}", position);
                    backoff = 0;
                }
                boolean news = !page.events().isEmpty();
                if (page.last() < seen) {
                    // Redis lost events (a restart without persistence, a failover to a lagging replica): its ids
                    // now start below positions nodes and clients hold. Move its last id past them first.
                    List<?> moved = await(REPAIR.run(redis, new String[] {streamKey, horizonKey}, StreamIds.toStreamId(seen)));
                    if (Long.valueOf(1).equals(moved.getFirst())) {
                        log.warn("The Redis event stream ended at {}, before {} that this node had already seen: Redis lost"
                                + " events. Moved the stream's last id past it, so new events reach every node", page.last(), seen);
                    }
                    continue;
                }
                if (page.horizon() > position) {
                    tail.restart(page.horizon(), page.horizon());
                    position = page.horizon();
                    news = true;
                }
                tail.add(page.events(), page.horizon(), page.upTo());
                position = Math.max(position, page.upTo());
                if (news) {
                    for (Runnable listener : listeners) {
                        listener.run();
                    }
                }
                if (page.events().size() < FOLLOW_PAGE) {
                    // The doorbell: returns as soon as the stream has anything after the position.
                    followerConnection.sync().xread(XReadArgs.Builder.block(block).count(1),
                            XReadArgs.StreamOffset.from(streamKey, StreamIds.toStreamId(position)));
                }
            } catch (RuntimeException e) {
                if (!running) {
                    return;
                }
                if (backoff == 0) {
                    log.warn("Cannot follow the Redis event stream (live events from other nodes wait until it is back): {}",
                            e.toString());
                }
                backoff = Math.min(Math.max(50, backoff * 2), 2000);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(backoff));
            }
        }
    }

    private <T> T await(CompletableFuture<T> future) {
        try {
            return future.get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof EventLogException x ? x : unavailable("reach Redis", e.getCause());
        } catch (TimeoutException e) {
            throw unavailable("reach Redis", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable("reach Redis", e);
        }
    }

    private static Throwable unwrap(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }

    private static EventLogException unavailable(String what, Throwable cause) {
        if (cause instanceof EventLogException x) {
            return x;
        }
        return new EventLogException("Redis could not " + what + ": " + cause.getMessage(), cause);
    }

    /** Stops the follower. The connections belong to {@link HeraldRedis}. Safe to call twice. */
    @Override
    public void close() {
        running = false;
        follower.interrupt();
        try {
            follower.join(block.toMillis() + timeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "RedisEventLog[" + streamKey + "]";
    }

    /**
     * @param upTo the id of the last entry read, event or not (the follower moves past entries it skipped)
     */
    private record Page(List<Event> events, long horizon, long last, long upTo) {
    }
}
