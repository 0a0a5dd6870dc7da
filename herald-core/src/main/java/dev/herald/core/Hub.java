package dev.herald.core;

import dev.herald.core.internal.Engine;
import dev.herald.core.internal.EngineSettings;
import dev.herald.core.internal.Metrics;
import java.time.Duration;
import java.time.InstantSource;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The SSE hub: publishers {@link #publish(Publication) publish} events, transports
 * {@link #open(SubscribeRequest) open} connections for subscribers, and the hub delivers each event
 * to every connection that selects it, in order, resuming from {@code Last-Event-ID} without gaps
 * or repeats within retention.
 *
 * <pre>{@code
 * Hub hub = Hub.builder().build();
 * hub.publish(Publication.to("orders/42").data("paid").build());
 * }</pre>
 *
 * <p>A publisher never writes to a socket and never waits for a subscriber: each connection has
 * its own bounded queue and its own writer, and a connection that falls too far behind is closed
 * (its client resumes where it left off). The hub owns three kinds of threads, all named
 * {@code herald-*}: one dispatcher, one timer and a virtual thread per busy connection. Every
 * method is thread-safe. See {@code docs/CONCURRENCY.md}.
 */
public final class Hub implements AutoCloseable {

    private final Engine engine;
    private final EventLog eventLog;

    private Hub(Engine engine, EventLog eventLog) {
        this.engine = engine;
        this.eventLog = eventLog;
    }

    /** Starts configuring a hub; every setting has a default. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Stores the event and schedules its delivery; returns once the log has it, before any
     * subscriber receives it.
     *
     * @return the stored event, with its id
     * @throws EventTooLargeException if the data exceeds the hub's limit
     * @throws EventLogException      if the log could not store it (nothing was stored)
     * @throws HubClosedException     if the hub is shutting down
     */
    public Event publish(Publication publication) {
        return engine.publish(Objects.requireNonNull(publication, "publication"));
    }

    /**
     * Like {@link #publish}, without blocking: checks the publication at once (throwing the same
     * exceptions), then returns a future that completes when the log has stored the event. For
     * transports on event loops; with the in-memory log the future is already complete.
     */
    public java.util.concurrent.CompletableFuture<Event> publishAsync(Publication publication) {
        return engine.publishAsync(Objects.requireNonNull(publication, "publication"));
    }

    /**
     * Opens a connection: checks limits, replaces the predecessor with the same client id, and
     * fixes where replay starts. Nothing is written until the transport calls
     * {@link Connection#start(EventSink)}.
     *
     * @throws InvalidLastEventIdException if the {@code Last-Event-ID} is not one this hub issues
     * @throws ConnectionLimitException    if a connection limit is reached
     * @throws HubClosedException          if the hub is shutting down
     */
    public Connection open(SubscribeRequest request) {
        return engine.open(Objects.requireNonNull(request, "request"));
    }

    /**
     * Ends every stream of the user (a logout): on this node at once, and on every other node that
     * shares the event log as soon as it reads the request from the log, usually within
     * milliseconds. The request is stored as a control event that is never delivered to anyone.
     * The user's clients may reconnect with credentials that are still valid: pair this with
     * short-lived tokens or with revoking the session they rest on.
     *
     * @return completes once every node can see the request; fails with {@link EventLogException}
     *         if the log cannot store it
     * @throws HubClosedException if the hub is shutting down
     */
    public java.util.concurrent.CompletableFuture<Void> endStreamsOf(String userId) {
        return engine.endStreamsOf(Objects.requireNonNull(userId, "userId"));
    }

    /** A snapshot of the open connections. */
    public List<ConnectionInfo> connections() {
        return engine.connections();
    }

    /** A snapshot of the hub's counters. */
    public HubStats stats() {
        Metrics m = engine.metrics();
        Map<EventSink.Transport, Integer> streams = new EnumMap<>(EventSink.Transport.class);
        for (EventSink.Transport transport : EventSink.Transport.values()) {
            streams.put(transport, (int) Math.max(0, m.streams[transport.ordinal()].sum()));
        }
        Map<ResumeStatus, Long> resumes = new EnumMap<>(ResumeStatus.class);
        for (ResumeStatus status : ResumeStatus.values()) {
            resumes.put(status, m.resumes[status.ordinal()].sum());
        }
        return new HubStats(engine.connectionCount(), m.opened.sum(), m.refused.sum(), m.published.sum(),
                m.delivered.sum(), m.replayed.sum(), m.overflows.sum() + m.stalls.sum(), m.resets.sum(), streams, resumes,
                m.droppedSlow.sum(), m.droppedNotPermitted.sum(), m.droppedExpired.sum(), m.storeAppendErrors.sum(),
                m.storeReadErrors.sum());
    }

    /** The log this hub stores events in. */
    public EventLog eventLog() {
        return eventLog;
    }

    /** Whether {@link #close()} has begun. */
    public boolean isClosed() {
        return engine.isClosed();
    }

    /**
     * Shuts down gracefully, within the shutdown timeout: refuses new publications and connections;
     * sends every open stream a reconnection delay ({@code retry:}) drawn at random from the
     * shutdown retry spread, so that the clients of a node that restarts come back over that window
     * rather than all in the same second; writes what each stream has queued and ends it (clients
     * reconnect elsewhere or later and resume). Streams still writing when the timeout is up are
     * aborted, each on its own, so one slow client holds up no other; then the hub's threads stop.
     * Returns within the shutdown timeout (plus the few milliseconds that stopping takes). Blocks
     * the caller, never a transport's event loop: streams are written by their own writers. Does not
     * close the event log or bus. Safe to call twice.
     */
    @Override
    public void close() {
        engine.close();
    }

    /** Configures a {@link Hub}. Not thread-safe; {@link #build()} seals the settings. */
    public static final class Builder {
        private EventLog eventLog;
        private EventBus eventBus;
        private DeliveryCursors deliveryCursors;
        private InstantSource clock = InstantSource.system();
        private Duration retry = Duration.ofSeconds(3);
        private HeartbeatPolicy heartbeat = HeartbeatPolicy.every(Duration.ofSeconds(15));
        private ConnectionLimits limits = ConnectionLimits.defaults();
        private int queueCapacity = 4096;
        private long queueCapacityBytes = 4L * 1024 * 1024;
        private int maxTopics = 64;
        private Duration maxStreamLifetime = Duration.ofHours(1);
        private int maxDataBytes = 64 * 1024;
        private Duration writeTimeout = Duration.ofSeconds(30);
        private Duration pollInterval = Duration.ofSeconds(1);
        private Duration shutdownTimeout = Duration.ofSeconds(5);
        private Duration shutdownRetrySpread = Duration.ofSeconds(5);
        private MetricsRecorder recorder = MetricsRecorder.NONE;

        private Builder() {
        }

        /** Where events are stored; by default in memory with {@link RetentionPolicy#defaults()}. */
        public Builder eventLog(EventLog value) {
            eventLog = Objects.requireNonNull(value);
            return this;
        }

        /** How nodes learn of new events; by default {@link EventBus#local()}. */
        public Builder eventBus(EventBus value) {
            eventBus = Objects.requireNonNull(value);
            return this;
        }

        /**
         * Where each user's delivery position is recorded, for subscribers that resume from it
         * ({@link SubscribeRequest#sinceLastDelivered()}); by default {@link DeliveryCursors#inMemory()}.
         * The hub does not close it.
         */
        public Builder deliveryCursors(DeliveryCursors value) {
            deliveryCursors = Objects.requireNonNull(value);
            return this;
        }

        /** The time source for event times, heartbeats and lifetimes. */
        public Builder clock(InstantSource value) {
            clock = Objects.requireNonNull(value);
            return this;
        }

        /** The reconnection delay sent to every client when it connects; 3 s by default. */
        public Builder retry(Duration value) {
            retry = Objects.requireNonNull(value);
            return this;
        }

        /** Heartbeats for idle connections; every 15 s by default. */
        public Builder heartbeat(HeartbeatPolicy value) {
            heartbeat = Objects.requireNonNull(value);
            return this;
        }

        /** Connection limits; {@link ConnectionLimits#defaults()} by default. */
        public Builder limits(ConnectionLimits value) {
            limits = Objects.requireNonNull(value);
            return this;
        }

        /** Frames one connection may have waiting before it is closed as too slow; 4096 by default. */
        public Builder queueCapacity(int value) {
            queueCapacity = value;
            return this;
        }

        /**
         * Bytes of frames one connection may have waiting before it is closed as too slow; 4 MiB by
         * default. Frames are shared between connections, so this bounds how far behind a client may
         * fall, in bytes, as {@link #queueCapacity} does in frames.
         */
        public Builder queueCapacityBytes(long value) {
            queueCapacityBytes = value;
            return this;
        }

        /** The most topic selectors one subscription may hold; 64 by default. */
        public Builder maxTopicsPerSubscription(int value) {
            maxTopics = value;
            return this;
        }

        /** How long a stream may live before the hub ends it; 1 h by default, zero for no limit. */
        public Builder maxStreamLifetime(Duration value) {
            maxStreamLifetime = Objects.requireNonNull(value);
            return this;
        }

        /** The largest event data accepted, in UTF-8 bytes; 64 KiB by default. */
        public Builder maxDataBytes(int value) {
            maxDataBytes = value;
            return this;
        }

        /** How long a single write may block before the connection is given up; 30 s by default. */
        public Builder writeTimeout(Duration value) {
            writeTimeout = Objects.requireNonNull(value);
            return this;
        }

        /** How often the dispatcher checks the log without a signal; 1 s by default. */
        public Builder pollInterval(Duration value) {
            pollInterval = Objects.requireNonNull(value);
            return this;
        }

        /**
         * How long {@link Hub#close()} waits for streams to finish writing; 5 s by default. Streams
         * still writing when it is up are aborted.
         */
        public Builder shutdownTimeout(Duration value) {
            shutdownTimeout = Objects.requireNonNull(value);
            return this;
        }

        /**
         * The window over which {@link Hub#close()} spreads its clients' reconnections; 5 s by default.
         * Each open stream is sent, before it ends, a {@code retry:} delay drawn uniformly from zero to
         * this, which EventSource waits before reconnecting; zero sends none (clients come back after
         * {@link #retry}).
         */
        public Builder shutdownRetrySpread(Duration value) {
            shutdownRetrySpread = Objects.requireNonNull(value);
            return this;
        }

        /**
         * Where the hub reports delivery latencies and, every few seconds, samples of its
         * connections (queue depths, subscriptions by selector); {@link MetricsRecorder#NONE} by
         * default, which also spares the hub taking the samples.
         */
        public Builder recorder(MetricsRecorder value) {
            recorder = Objects.requireNonNull(value);
            return this;
        }

        /** Builds and starts the hub. */
        public Hub build() {
            EventLog log = eventLog != null ? eventLog : new InMemoryEventLog(RetentionPolicy.defaults(), clock);
            EventBus bus = eventBus != null ? eventBus : EventBus.local();
            EngineSettings settings = new EngineSettings(retry, heartbeat, limits, queueCapacity, queueCapacityBytes,
                    maxStreamLifetime, maxDataBytes, writeTimeout, pollInterval, shutdownTimeout, maxTopics, shutdownRetrySpread);
            Engine engine = new Engine(settings, log, bus, deliveryCursors != null ? deliveryCursors : DeliveryCursors.inMemory(), clock,
                    recorder);
            engine.start();
            return new Hub(engine, log);
        }
    }
}
