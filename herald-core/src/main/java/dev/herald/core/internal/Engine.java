package dev.herald.core.internal;

import dev.herald.core.ConnectionInfo;
import dev.herald.core.ConnectionLimitException;
import dev.herald.core.DeliveryCursors;
import dev.herald.core.Event;
import dev.herald.core.EventBus;
import dev.herald.core.EventIds;
import dev.herald.core.EventLog;
import dev.herald.core.EventLogException;
import dev.herald.core.EventTooLargeException;
import dev.herald.core.HubClosedException;
import dev.herald.core.IdFormat;
import dev.herald.core.InvalidLastEventIdException;
import dev.herald.core.LogPage;
import dev.herald.core.MetricsRecorder;
import dev.herald.core.Publication;
import dev.herald.core.ResumeStatus;
import dev.herald.core.SubscribeRequest;
import dev.herald.core.TopicSelector;
import dev.herald.core.sse.SseEncoder;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hub's machinery behind {@link dev.herald.core.Hub}: it owns the dispatcher thread, the timer
 * thread and the writer executor, and stops them in order.
 */
public final class Engine {

    /** The event type that tells a client its history has a hole. */
    public static final String RESET_EVENT = "herald-reset";
    /** The Mercure {@code Last-Event-ID} that asks for everything the hub retains. */
    public static final String EARLIEST = EventIds.EARLIEST;
    /** The longest publisher key (as {@link dev.herald.core.Publication} accepts them) looked up to resume. */
    private static final int MAX_KEY_LENGTH = 1024;

    /**
     * The topic of the hub's own control events: stored in the log like any event, so every node of
     * a cluster reads them in order, but acted on by each node's dispatcher and never delivered.
     */
    public static final String CONTROL_TOPIC = "$herald/control";

    /** A control event's type: end every stream of the user named in its data. */
    private static final String END_USER_STREAMS = "end-user-streams";

    private static final Logger log = LoggerFactory.getLogger(Engine.class);
    private static final Duration NEVER_STARTED = Duration.ofSeconds(30);
    /** How often the timer samples the connections for the {@link MetricsRecorder}. */
    static final Duration SAMPLE_INTERVAL = Duration.ofSeconds(5);

    private final EngineSettings settings;
    private final EventLog eventLog;
    private final EventBus bus;
    private final DeliveryCursors cursors;
    private final InstantSource clock;
    private final SubscriptionIndex index = new SubscriptionIndex();
    private final ConnectionRegistry registry;
    private final Metrics metrics = new Metrics();
    private final MetricsRecorder recorder;
    /** When the timer last sampled the connections for the recorder. Timer thread only. */
    private long sampledAtMillis = Long.MIN_VALUE;
    private final AtomicLong connectionIds = new AtomicLong();
    /** Started connections whose writer has not finished; shutdown waits for them. */
    private final Set<StreamConnection> unfinished = ConcurrentHashMap.newKeySet();
    private final ExecutorService writers;
    private final ScheduledExecutorService timer;
    private final Dispatcher dispatcher;
    private EventBus.Registration busRegistration;
    private volatile boolean closed;

    public Engine(EngineSettings settings, EventLog eventLog, EventBus bus, InstantSource clock) {
        this(settings, eventLog, bus, DeliveryCursors.inMemory(), clock);
    }

    public Engine(EngineSettings settings, EventLog eventLog, EventBus bus, DeliveryCursors cursors, InstantSource clock) {
        this(settings, eventLog, bus, cursors, clock, MetricsRecorder.NONE);
    }

    public Engine(EngineSettings settings, EventLog eventLog, EventBus bus, DeliveryCursors cursors, InstantSource clock,
            MetricsRecorder recorder) {
        this.settings = settings;
        this.recorder = recorder;
        this.eventLog = eventLog;
        this.bus = bus;
        this.cursors = cursors;
        this.clock = clock;
        this.registry = new ConnectionRegistry(settings.limits());
        this.writers = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("herald-writer-", 0).factory());
        this.timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("herald-timer").daemon(true).factory());
        long start = eventLog.readAfter(Long.MAX_VALUE, 0).lastId();
        this.dispatcher = new Dispatcher(this, eventLog, index, settings.pollInterval(), start);
    }

    /** Starts the dispatcher and the timer. */
    public void start() {
        busRegistration = bus.listen(dispatcher::wake);
        dispatcher.start();
        long tick = tickMillis();
        timer.scheduleWithFixedDelay(this::sweep, tick, tick, TimeUnit.MILLISECONDS);
    }

    private long tickMillis() {
        long tick = 1000;
        if (settings.heartbeat().enabled()) {
            tick = Math.min(tick, settings.heartbeat().interval().toMillis() / 4);
        }
        tick = Math.min(tick, settings.writeTimeout().toMillis() / 4);
        return Math.max(10, tick);
    }

    public Event publish(Publication publication) {
        check(publication);
        Event event;
        try {
            event = eventLog.append(publication);
        } catch (EventLogException e) {
            metrics.storeAppendErrors.increment();
            throw e;
        }
        return published(event);
    }

    public java.util.concurrent.CompletableFuture<Event> publishAsync(Publication publication) {
        check(publication);
        return appendAsync(publication).thenApply(this::published);
    }

    /** Appends without blocking, counting a failure as the store's. */
    private java.util.concurrent.CompletableFuture<Event> appendAsync(Publication publication) {
        java.util.concurrent.CompletableFuture<Event> stored;
        try {
            stored = eventLog.appendAsync(publication);
        } catch (EventLogException e) {
            metrics.storeAppendErrors.increment();
            throw e;
        }
        if (!stored.isDone() || stored.isCompletedExceptionally()) {
            stored.whenComplete((event, failure) -> {
                if (failure instanceof EventLogException
                        || failure instanceof java.util.concurrent.CompletionException && failure.getCause() instanceof EventLogException) {
                    metrics.storeAppendErrors.increment();
                }
            });
        }
        return stored;
    }

    private void check(Publication publication) {
        ensureOpen();
        long size = utf8Length(publication.data(), settings.maxDataBytes());
        if (size > settings.maxDataBytes()) {
            throw new EventTooLargeException(size, settings.maxDataBytes());
        }
    }

    private Event published(Event event) {
        metrics.published.increment();
        bus.announce(event);
        return event;
    }

    public StreamConnection open(SubscribeRequest request) {
        try {
            return openStream(request);
        } catch (EventLogException e) {
            metrics.storeReadErrors.increment();
            throw e;
        }
    }

    private StreamConnection openStream(SubscribeRequest request) {
        ensureOpen();
        if (request.topics().size() > settings.maxTopics()) {
            throw new dev.herald.core.InvalidSubscriptionException("a subscription may select at most " + settings.maxTopics()
                    + " topics, got " + request.topics().size());
        }
        boolean mercure = request.idFormat() == IdFormat.MERCURE;
        Cursor requested = request.lastEventId() == null ? null : resume(request.lastEventId(), mercure);
        String requestedText = request.lastEventId();
        String cursorKey = request.sinceLastDelivered() ? cursorKey(request.subscriber().userId(), request.topics()) : null;
        if (requested == null && request.lastEventId() == null && cursorKey != null) {
            OptionalLong delivered = cursors.lastDelivered(cursorKey);
            if (delivered.isPresent()) {
                requested = Cursor.at(delivered.getAsLong());
                requestedText = requested.format();
            }
        }
        // The bounds are read after the resume point, so that they include it.
        LogPage bounds = eventLog.readAfter(Long.MAX_VALUE, 0);
        ResumeStatus status;
        Cursor start;
        if (requested == null && request.lastEventId() != null) {
            // A Mercure id this hub does not know: Mercure replays all it has.
            status = ResumeStatus.UNKNOWN;
            start = Cursor.at(bounds.horizon());
        } else if (requested == null) {
            status = ResumeStatus.LIVE;
            start = Cursor.at(bounds.lastId());
        } else if (requested.position() < bounds.horizon()) {
            status = ResumeStatus.EXPIRED;
            start = Cursor.at(bounds.horizon());
            metrics.droppedExpired.add(bounds.horizon() - requested.position());
        } else if (requested.highest() > bounds.lastId()) {
            status = ResumeStatus.UNKNOWN;
            start = Cursor.at(bounds.horizon());
        } else {
            status = ResumeStatus.RESUMED;
            start = requested;
        }
        String userId = request.subscriber().userId();
        reserveSlot(userId, request.clientId());
        StreamConnection connection;
        try {
            connection = new StreamConnection(this, connectionIds.incrementAndGet(), request.subscriber(),
                    request.clientId(), request.topics(), status, start, requestedText, cursorKey, request.idFormat());
        } catch (RuntimeException e) {
            registry.unreserve(userId);
            throw e;
        }
        // Tracked before it becomes reachable (and closable) through the registry.
        unfinished.add(connection);
        registry.add(connection);
        metrics.opened.increment();
        metrics.resumes[status.ordinal()].increment();
        if (closed) {
            connection.close("hub shutting down");
            throw new HubClosedException();
        }
        return connection;
    }

    /**
     * Where a {@code Last-Event-ID} resumes: a Herald cursor, a URN of {@link EventIds}, or the
     * publisher's id of a retained event; for Mercure streams {@code earliest} (everything retained)
     * and, for an id the hub does not know, {@code null} (the caller replays everything too).
     *
     * @throws InvalidLastEventIdException for an unknown id on a Herald stream
     */
    private Cursor resume(String lastEventId, boolean mercure) {
        try {
            return Cursor.parse(lastEventId);
        } catch (InvalidLastEventIdException notACursor) {
            if (mercure && lastEventId.equals(EARLIEST)) {
                return Cursor.at(0);
            }
            OptionalLong position = EventIds.position(lastEventId);
            if (position.isEmpty() && lastEventId.length() <= MAX_KEY_LENGTH) {
                position = eventLog.idOfKey(lastEventId);
            }
            if (position.isPresent()) {
                return Cursor.at(position.getAsLong());
            }
            if (mercure) {
                return null;
            }
            throw notACursor;
        }
    }

    /**
     * Takes a connection slot. A stream that this one will replace (same user and client id) still
     * holds its slot; if that is what stands in the way, it is closed first. A request refused for
     * any other reason leaves the older stream alone.
     */
    private void reserveSlot(String userId, String clientId) {
        try {
            registry.reserve(userId);
            return;
        } catch (ConnectionLimitException refused) {
            if (!registry.closePredecessor(userId, clientId)) {
                metrics.refused.increment();
                throw refused;
            }
        }
        try {
            registry.reserve(userId);
        } catch (ConnectionLimitException refused) {
            metrics.refused.increment();
            throw refused;
        }
    }

    /**
     * Ends every stream of the user, on this node at once and on every node that shares the log
     * when its dispatcher reads the request (see {@link #CONTROL_TOPIC}).
     *
     * @return completes once the request is stored
     */
    public java.util.concurrent.CompletableFuture<Void> endStreamsOf(String userId) {
        ensureOpen();
        Publication control = Publication.to(CONTROL_TOPIC).type(END_USER_STREAMS).data(userId).privateEvent(true).build();
        return appendAsync(control).thenAccept(event -> {
            closeStreamsOf(userId);
            bus.announce(event);
        });
    }

    /** Whether the event is one of the hub's own control events, which are never delivered. */
    static boolean isControl(Event event) {
        return event.topics().size() == 1 && event.topics().getFirst().equals(CONTROL_TOPIC);
    }

    /** Acts on a control event; called by the dispatcher, in log order. */
    void control(Event event) {
        if (event.type().equals(END_USER_STREAMS)) {
            closeStreamsOf(event.data());
        }
    }

    private void closeStreamsOf(String userId) {
        int closed = 0;
        for (StreamConnection connection : registry.all()) {
            if (userId.equals(connection.subscriber().userId())) {
                connection.close("ended for its user");
                closed++;
            }
        }
        if (closed > 0) {
            log.atInfo().addKeyValue(StreamConnection.USER_ID_KEY, userId).log("Ended {} streams of user {}", closed, userId);
        }
    }

    public List<ConnectionInfo> connections() {
        List<ConnectionInfo> out = new ArrayList<>();
        for (StreamConnection connection : registry.all()) {
            out.add(new ConnectionInfo(connection.id(), connection.subscriber().userId(), connection.clientId(),
                    connection.topics().stream().map(TopicSelector::value).toList(), connection.openedAt(),
                    connection.queued(), connection.phase()));
        }
        return out;
    }

    public int connectionCount() {
        return registry.size();
    }

    /**
     * The delivery cursor of a user's streams on one set of topics: the user id and a digest of the
     * sorted selectors. Streams on other topics never advance it, so a stream that resumes from it
     * cannot skip events of its own topics that another stream's position went past.
     */
    static String cursorKey(String userId, List<TopicSelector> topics) {
        try {
            java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
            topics.stream().map(TopicSelector::value).sorted().forEach(value -> {
                sha.update(value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                sha.update((byte) 0);
            });
            return userId + " " + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(sha.digest()).substring(0, 22);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing", e);
        }
    }

    /** Where connections record what they delivered to their user. */
    DeliveryCursors cursors() {
        return cursors;
    }

    public Metrics metrics() {
        return metrics;
    }

    /** Where delivery latencies go; {@link MetricsRecorder#NONE} when nobody records them. */
    MetricsRecorder recorder() {
        return recorder;
    }

    public boolean isClosed() {
        return closed;
    }

    /**
     * Stops in order, within the shutdown timeout: refuses new work; gives every stream a
     * reconnection delay drawn from the shutdown retry spread and closes it gracefully (its writer
     * sends the delay, writes what is queued and ends the response); waits for the writers until
     * the deadline; aborts the streams still writing; then waits for the dispatcher (asked to stop
     * at once) and stops the timer and writers with what is left of the deadline, interrupting
     * writers still blocked. Runs on the caller's thread and blocks only it. Does not close the log
     * or the bus: whoever made them owns them. Safe to call twice.
     */
    public synchronized void close() {
        if (closed) {
            return;
        }
        long deadline = System.nanoTime() + settings.shutdownTimeout().toNanos();
        closed = true;
        if (busRegistration != null) {
            busRegistration.close();
        }
        for (StreamConnection connection : registry.all()) {
            connection.closeForShutdown(shutdownRetry());
        }
        // No stream is left to dispatch to (closing removed them all from the index); stopping now
        // also lets the dispatcher finish reading the log while it is still open.
        dispatcher.requestStop();
        while (!unfinished.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(Math.max(1, Math.min(10, (deadline - System.nanoTime()) / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        int aborted = 0;
        for (StreamConnection connection : unfinished) {
            connection.abort("hub stopped");
            aborted++;
        }
        if (aborted > 0) {
            log.info("{} streams had not finished writing within the shutdown timeout ({}) and were aborted", aborted,
                    settings.shutdownTimeout());
        }
        try {
            dispatcher.stop(remaining(deadline));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        timer.shutdownNow();
        writers.shutdown();
        try {
            if (!writers.awaitTermination(remaining(deadline).toNanos(), TimeUnit.NANOSECONDS)) {
                // Writers still blocked in a write (a client that stopped reading): interrupt them.
                writers.shutdownNow();
            }
        } catch (InterruptedException e) {
            writers.shutdownNow();
            Thread.currentThread().interrupt();
        }
        if (!unfinished.isEmpty()) {
            log.info("{} connections were still writing when the hub stopped", unfinished.size());
        }
    }

    /**
     * The reconnection delay for one stream as the hub shuts down: uniform over zero to the spread,
     * so a node's clients come back spread over it; {@code null} when the spread is zero.
     */
    private Duration shutdownRetry() {
        long spread = settings.shutdownRetrySpread().toMillis();
        if (spread == 0) {
            return null;
        }
        long bound = spread == Long.MAX_VALUE ? spread : spread + 1;
        return Duration.ofMillis(ThreadLocalRandom.current().nextLong(bound));
    }

    private static Duration remaining(long deadline) {
        return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
    }

    // ---- for the engine's own parts

    EngineSettings settings() {
        return settings;
    }

    EventLog log() {
        return eventLog;
    }

    SubscriptionIndex index() {
        return index;
    }

    ConnectionRegistry registry() {
        return registry;
    }

    ExecutorService writers() {
        return writers;
    }

    InstantSource clock() {
        return clock;
    }

    void connectionFinished(StreamConnection connection) {
        unfinished.remove(connection);
    }

    /** Started or opened connections whose writer has not finished, for tests. */
    int unfinishedCount() {
        return unfinished.size();
    }

    /**
     * Closes the live connections that could have missed events the dispatcher never saw (every
     * event up to the new horizon is gone); they reconnect with their Last-Event-ID and are told.
     */
    void resyncLiveConnections(long horizon) {
        for (StreamConnection connection : registry.all()) {
            if (connection.reliesOnDispatchBelow(horizon)) {
                connection.close("resync");
            }
        }
    }

    /** The timer's tick: heartbeats, lifetimes and stalled writers. */
    private void sweep() {
        try {
            long now = clock.millis();
            long lifetime = settings.maxStreamLifetime().toMillis();
            long heartbeat = settings.heartbeat().interval().toMillis();
            long writeTimeout = settings.writeTimeout().toMillis();
            for (StreamConnection connection : registry.all()) {
                long age = now - connection.openedAtMillis();
                java.time.Instant expiresAt = connection.expiresAt();
                if (lifetime > 0 && age >= lifetime) {
                    connection.close("maximum stream lifetime reached");
                } else if (expiresAt != null && now >= expiresAt.toEpochMilli()) {
                    connection.close("credentials expired");
                } else if (!connection.started()) {
                    if (age >= NEVER_STARTED.toMillis()) {
                        connection.close("never started");
                    }
                } else if (connection.stalledMillis(now) >= writeTimeout) {
                    metrics.stalls.increment();
                    metrics.droppedSlow.add(connection.queued());
                    connection.withIds(log.atInfo()).log("Connection {} has been blocked in a write for {} ms; giving it up",
                            connection.id(), connection.stalledMillis(now));
                    connection.abort("write stalled");
                } else if (heartbeat > 0 && connection.idleMillis(now) >= heartbeat) {
                    connection.requestHeartbeat();
                }
            }
            if (recorder != MetricsRecorder.NONE && (sampledAtMillis == Long.MIN_VALUE
                    || now - sampledAtMillis >= SAMPLE_INTERVAL.toMillis())) {
                sampledAtMillis = now;
                sample();
            }
        } catch (RuntimeException e) {
            log.error("Connection sweep failed", e);
        }
    }

    /**
     * Tells the recorder how deep the connections' queues are (every connection's, or an even
     * sample when there are many) and which selectors the open subscriptions use. On the timer,
     * every {@link #SAMPLE_INTERVAL}; the cost is one pass over the connections.
     */
    private void sample() {
        int stride = Math.max(1, (registry.size() + MetricsRecorder.MAX_QUEUE_SAMPLES - 1) / MetricsRecorder.MAX_QUEUE_SAMPLES);
        int seen = 0;
        Map<String, int[]> bySelector = new HashMap<>();
        for (StreamConnection connection : registry.all()) {
            if (seen++ % stride == 0) {
                recorder.queueDepth(connection.queued());
            }
            for (TopicSelector selector : connection.topics()) {
                bySelector.computeIfAbsent(selector.value(), value -> new int[1])[0]++;
            }
        }
        List<Map.Entry<String, int[]>> sorted = new ArrayList<>(bySelector.entrySet());
        sorted.sort((a, b) -> Integer.compare(b.getValue()[0], a.getValue()[0]));
        Map<String, Integer> top = new LinkedHashMap<>();
        int others = 0;
        for (Map.Entry<String, int[]> entry : sorted) {
            if (top.size() < MetricsRecorder.TOP_SELECTORS) {
                top.put(entry.getKey(), entry.getValue()[0]);
            } else {
                others += entry.getValue()[0];
            }
        }
        recorder.subscriptions(top, others);
    }

    private void ensureOpen() {
        if (closed) {
            throw new HubClosedException();
        }
    }

    /** The UTF-8 length of the text; exact whenever it exceeds the limit. */
    static long utf8Length(String text, long limit) {
        if ((long) text.length() * 3 <= limit) {
            return text.length(); // cannot exceed the limit, so the exact size does not matter
        }
        return SseEncoder.utf8Length(text);
    }
}
