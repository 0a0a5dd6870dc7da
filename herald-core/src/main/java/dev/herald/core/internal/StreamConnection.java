package dev.herald.core.internal;

import dev.herald.core.Connection;
import dev.herald.core.ConnectionInfo;
import dev.herald.core.Event;
import dev.herald.core.EventIds;
import dev.herald.core.EventLogException;
import dev.herald.core.EventSink;
import dev.herald.core.IdFormat;
import dev.herald.core.LogPage;
import dev.herald.core.MetricsRecorder;
import dev.herald.core.ResumeStatus;
import dev.herald.core.SseMessage;
import dev.herald.core.Subscriber;
import dev.herald.core.TopicSelector;
import dev.herald.core.sse.SseEncoder;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * A connection and its writer. Publishers and the dispatcher only ever add frames to its queue;
 * one writer at a time (a task on the engine's writer executor, scheduled when work appears) takes
 * frames off and writes them to the sink. See {@code docs/CONCURRENCY.md}.
 */
public final class StreamConnection implements Connection {

    private static final Logger log = LoggerFactory.getLogger(StreamConnection.class);
    private static final byte[] HEARTBEAT = SseEncoder.comment("heartbeat");
    private static final int MAX_BATCH_BYTES = 64 * 1024;
    private static final int REPLAY_PAGE = 512;
    private static final int MAX_BATCHES_PER_RUN = 8;
    private static final VarHandle STATE;
    private static final VarHandle SCHEDULED;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            STATE = lookup.findVarHandle(StreamConnection.class, "state", State.class);
            SCHEDULED = lookup.findVarHandle(StreamConnection.class, "scheduled", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /*
     * The fields a log line about one connection, user or event carries, as SLF4J key-value pairs
     * (not MDC: nothing to leak onto the thread's next line). Spring Boot's structured formats (ECS,
     * Logstash, GELF) write them beside the message. Ids go as text, the way ECS keeps ids, so no
     * JSON reader rounds a large log position.
     */
    static final String CONNECTION_ID_KEY = "herald.connection.id";
    static final String USER_ID_KEY = "herald.user.id";
    static final String EVENT_ID_KEY = "herald.event.id";

    /** Lifecycle; moves forward only. */
    enum State { OPENED, STARTED, CLOSING, ABORTING, FINISHED }

    // Immutable after construction; read by any thread.
    private final Engine engine;
    private final long id;
    private final Subscriber subscriber;
    private final String clientId;
    private final List<TopicSelector> topics;
    private final ResumeStatus resumeStatus;
    private final Cursor start;
    /** How ids are written: Herald's cursors, or each event's Mercure id (then in log order, without resets). */
    private final IdFormat idFormat;
    private final String requestedCursor;
    private final long openedAtMillis;

    // Any thread. Plain volatile fields changed through VarHandles, not atomics: two objects
    // fewer on every connection.
    private volatile State state = State.OPENED;
    /** True while a writer task is scheduled or running: the one-writer guarantee. */
    private volatile boolean scheduled;
    private volatile boolean heartbeatDue;
    private volatile long lastWriteMillis;
    /** The delivery cursor this stream advances, or {@code null}: only streams opened with since=last keep one. */
    private final String cursorKey;
    /** The position last given to the delivery cursors. Writer only. */
    private long recordedPosition = Long.MIN_VALUE;
    /** Whether an event was written since the delivery cursors were last told. Writer only. */
    private boolean deliveredSinceRecord;
    /** When the current blocking write began, or zero when not writing. */
    private volatile long writingSinceMillis;
    /** When a non-blocking transport last reported its buffer full, or zero while it takes bytes. */
    private volatile long unwritableSinceMillis;
    private volatile String closeReason;
    /** The reconnection delay to send before the stream ends, set once as the hub shuts down, or {@code null}. */
    private volatile Duration shutdownRetry;

    // Guarded by lock; never held during I/O.
    private final ReentrantLock lock = new ReentrantLock();
    private final FrameQueue queue = new FrameQueue();
    /** Set once by {@link #start}, before the state leaves OPENED; used only by the writer. */
    private volatile EventSink sink;

    // Owned by the writer (happens-before between writer runs comes from the scheduled flag).
    private final DeliveryCursor cursor;
    private boolean preambleWritten;
    private boolean shutdownRetryWritten;
    /** Live events written, for sampling their latency. */
    private int liveWrites;
    /** Registered for live events; written by the writer, read by admin views. */
    private volatile boolean live;
    /** The cursor position up to which the writer read the log itself before going live. */
    private volatile long liveFrom = Long.MAX_VALUE;

    StreamConnection(Engine engine, long id, Subscriber subscriber, String clientId, List<TopicSelector> topics,
            ResumeStatus resumeStatus, Cursor start, String requestedCursor, String cursorKey, IdFormat idFormat) {
        this.engine = engine;
        this.idFormat = idFormat;
        this.cursorKey = cursorKey;
        this.id = id;
        this.subscriber = subscriber;
        this.clientId = clientId;
        this.topics = topics;
        this.resumeStatus = resumeStatus;
        this.start = start;
        this.requestedCursor = requestedCursor;
        this.openedAtMillis = engine.clock().millis();
        this.lastWriteMillis = openedAtMillis;
        this.cursor = new DeliveryCursor(start);
    }

    @Override
    public long id() {
        return id;
    }

    /**
     * Adds this connection's id, and its user's if it has one, to a line about it; for this class,
     * the engine and the dispatcher, only on lines that are rare (failures, drops, ends). A disabled
     * level's builder ignores them.
     */
    LoggingEventBuilder withIds(LoggingEventBuilder line) {
        line.addKeyValue(CONNECTION_ID_KEY, Long.toString(id));
        if (subscriber.userId() != null) {
            line.addKeyValue(USER_ID_KEY, subscriber.userId());
        }
        return line;
    }

    @Override
    public Subscriber subscriber() {
        return subscriber;
    }

    @Override
    public String clientId() {
        return clientId;
    }

    @Override
    public List<TopicSelector> topics() {
        return topics;
    }

    @Override
    public ResumeStatus resumeStatus() {
        return resumeStatus;
    }

    @Override
    public String resumePoint() {
        if (idFormat == IdFormat.MERCURE) {
            if (resumeStatus == ResumeStatus.RESUMED) {
                return requestedCursor;
            }
            boolean everything = resumeStatus != ResumeStatus.LIVE || start.position() == 0;
            return everything ? Engine.EARLIEST : EventIds.urn(start.position());
        }
        return start.format();
    }

    @Override
    public Instant openedAt() {
        return Instant.ofEpochMilli(openedAtMillis);
    }

    /** {@link #openedAt()} in epoch milliseconds, for the timer's pass over every connection. */
    long openedAtMillis() {
        return openedAtMillis;
    }

    @Override
    public boolean isOpen() {
        State current = state;
        return current == State.OPENED || current == State.STARTED;
    }

    /** Where the connection is in its life, for admin views. */
    ConnectionInfo.State phase() {
        return switch (state) {
            case OPENED -> ConnectionInfo.State.OPENED;
            case STARTED -> live ? ConnectionInfo.State.LIVE : ConnectionInfo.State.REPLAYING;
            default -> ConnectionInfo.State.CLOSING;
        };
    }

    /** Why the connection closed, or {@code null} while open. */
    public String closeReason() {
        return closeReason;
    }

    int queued() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Whether a stored event is for this connection: a selected topic, and the subscriber may see
     * it. An event of a selected topic that the subscriber may not see is counted as dropped.
     */
    private boolean accepts(Event event) {
        if (Engine.isControl(event) || !TopicSelector.anyMatches(topics, event.topics())) {
            return false;
        }
        if (!subscriber.mayReceive(event)) {
            engine.metrics().droppedNotPermitted.increment();
            return false;
        }
        return true;
    }

    /** When the subscriber's credentials expire, or {@code null}. */
    java.time.Instant expiresAt() {
        return subscriber.expiresAt();
    }

    @Override
    public void start(EventSink sink) {
        lock.lock();
        try {
            if (this.sink != null) {
                throw new IllegalStateException("connection " + id + " already started");
            }
            this.sink = sink;
        } finally {
            lock.unlock();
        }
        // Counted before the state says started, so that a release racing with this start never
        // takes away a stream not counted yet.
        engine.metrics().streams[sink.transport().ordinal()].increment();
        if (!STATE.compareAndSet(this, State.OPENED, State.STARTED)) {
            // Closed between open and start: end the response at once.
            engine.metrics().streams[sink.transport().ordinal()].decrement();
            sink.close();
            return;
        }
        lastWriteMillis = engine.clock().millis();
        schedule();
    }

    @Override
    public boolean send(SseMessage message) {
        return enqueue(Frame.of(message));
    }

    /**
     * Queues a frame for the dispatcher. A writer that would run on the transport's executor is not
     * started here but added to {@code batch}, which the dispatcher submits once per round.
     */
    boolean enqueue(Frame frame, DrainBatch batch) {
        if (!offer(frame)) {
            return false;
        }
        Executor transport = live ? sink.executor() : null;
        if (transport == null) {
            schedule();
        } else if (state != State.FINISHED && SCHEDULED.compareAndSet(this, false, true)) {
            batch.add(transport, this);
        }
        return true;
    }

    /** Queues a frame; closes the connection if its queue is full. */
    boolean enqueue(Frame frame) {
        if (!offer(frame)) {
            return false;
        }
        schedule();
        return true;
    }

    /** Adds a frame to the queue, or closes the connection if the queue is full. */
    private boolean offer(Frame frame) {
        boolean overflow = false;
        int dropped = 0;
        lock.lock();
        try {
            State current = state;
            if (current != State.OPENED && current != State.STARTED) {
                return false;
            }
            if (queue.size() >= engine.settings().queueCapacity()
                    || (queue.size() > 0 && queue.bytes() + frame.bytes().length > engine.settings().queueCapacityBytes())) {
                overflow = true;
                dropped = queue.size() + 1; // what the abort discards, and this frame
            } else {
                queue.add(frame);
            }
        } finally {
            lock.unlock();
        }
        if (overflow) {
            engine.metrics().overflows.increment();
            engine.metrics().droppedSlow.add(dropped);
            withIds(log.atInfo()).log("Connection {} (user {}) fell too far behind (the limit is {} frames or {} bytes) "
                    + "and was closed; it will resume from its Last-Event-ID", id, subscriber.userId(),
                    engine.settings().queueCapacity(), engine.settings().queueCapacityBytes());
            abort("overflow");
            return false;
        }
        return true;
    }

    @Override
    public void writable() {
        unwritableSinceMillis = 0;
        schedule();
    }

    /** Asks the writer for a heartbeat if nothing else gets written first. Called by the timer. */
    void requestHeartbeat() {
        heartbeatDue = true;
        schedule();
    }

    @Override
    public void close() {
        close("closed");
    }

    /** Graceful close: what is queued is still written. */
    void close(String reason) {
        transition(State.CLOSING, reason);
    }

    /**
     * Graceful close as the hub shuts down: the writer first sends the client {@code retry} as its
     * reconnection delay (if not null), then writes what is queued and ends the response.
     */
    void closeForShutdown(Duration retry) {
        // Set before the state changes, so the writer that sees CLOSING sees it too.
        shutdownRetry = retry;
        close("hub shutting down");
    }

    @Override
    public void disconnected() {
        abort("client gone");
    }

    /** Abrupt close: the queue is dropped and nothing more is written. */
    void abort(String reason) {
        transition(State.ABORTING, reason);
    }

    private void transition(State target, String reason) {
        while (true) {
            State current = state;
            switch (current) {
                case FINISHED:
                    return;
                case CLOSING, ABORTING:
                    if (target == State.ABORTING && current == State.CLOSING
                            && STATE.compareAndSet(this, State.CLOSING, State.ABORTING)) {
                        dropQueue();
                        schedule();
                    }
                    return;
                case OPENED:
                    if (STATE.compareAndSet(this, State.OPENED, State.FINISHED)) {
                        closeReason = reason;
                        release();
                        dropQueue();
                        engine.connectionFinished(this);
                        return;
                    }
                    break;
                case STARTED:
                    if (STATE.compareAndSet(this, State.STARTED, target)) {
                        closeReason = reason;
                        release();
                        streamEnded();
                        if (target == State.ABORTING) {
                            dropQueue();
                        }
                        schedule();
                        return;
                    }
                    break;
                default:
                    throw new IllegalStateException(current.name());
            }
        }
    }

    /** Takes a started stream off its transport's count; once, as its slot is released. */
    private void streamEnded() {
        engine.metrics().streams[sink.transport().ordinal()].decrement();
    }

    /** Frees the connection's slot and index entries; runs exactly once per connection. */
    private void release() {
        engine.index().remove(this);
        engine.registry().remove(this);
        withIds(log.atDebug()).log("Connection {} closed: {}", id, closeReason);
    }

    private void dropQueue() {
        lock.lock();
        try {
            queue.clear();
        } finally {
            lock.unlock();
        }
    }

    /** Called by the timer: the time since the last write, and since a blocked write began. */
    long idleMillis(long now) {
        return now - lastWriteMillis;
    }

    /** How long the client has not been taking bytes: a blocked write, or a full transport buffer. */
    long stalledMillis(long now) {
        long writing = writingSinceMillis;
        long unwritable = unwritableSinceMillis;
        return Math.max(writing == 0 ? 0 : now - writing, unwritable == 0 ? 0 : now - unwritable);
    }

    boolean started() {
        return state != State.OPENED && sink != null;
    }

    /**
     * Starts a writer unless one is scheduled or running. Nothing is written before the transport
     * has started the connection, nor after it finished: a writer must never run beside
     * {@link #start}'s own close of a connection that closed before it started.
     */
    private void schedule() {
        State current = state;
        if (current == State.OPENED || current == State.FINISHED || sink == null) {
            return;
        }
        if (SCHEDULED.compareAndSet(this, false, true)) {
            submitWriter();
        }
    }

    /**
     * Submits the writer; the caller holds the {@link #scheduled} token. Replay runs on the hub's
     * writer threads (it may block on the log); a live connection's writer runs on its transport's
     * executor when it has one.
     */
    private void submitWriter() {
        Executor transport = live ? sink.executor() : null;
        try {
            (transport != null ? transport : engine.writers()).execute(this::drain);
        } catch (RejectedExecutionException rejected) {
            // The hub is stopping and runs no more writers: end the stream here, as the writer would.
            writerRejected();
        }
    }

    private boolean hasWork() {
        State current = state;
        if (current == State.FINISHED) {
            return false;
        }
        if (current == State.ABORTING || heartbeatDue) {
            return true;
        }
        if (!sink.isWritable()) {
            return false; // writable() reschedules
        }
        if (current == State.CLOSING) {
            return true;
        }
        lock.lock();
        try {
            return queue.size() > 0;
        } finally {
            lock.unlock();
        }
    }

    /** Runs the writer now, on the calling thread; the caller holds the {@link #scheduled} token. */
    void runWriter() {
        drain();
    }

    /** The executor refused the writer's task: end the stream, as the writer would. */
    void writerRejected() {
        finish();
        scheduled = false;
    }

    /** The writer: runs on the writer executor, never concurrently with itself. */
    private void drain() {
        try {
            if (state == State.ABORTING) {
                finish();
                return;
            }
            if (state == State.FINISHED) {
                return;
            }
            boolean wrote = false;
            if (!preambleWritten) {
                writePreamble();
                preambleWritten = true;
                wrote = true;
            }
            if (!live && state == State.STARTED) {
                wrote |= catchUp();
            }
            // Ahead of what is queued, so a client whose stream cannot be drained in time has it anyway.
            wrote |= writeShutdownRetry();
            // A bounded number of batches per run, so a busy connection yields its thread; none
            // while the transport's buffer is full (it calls writable() when it drains).
            for (int batches = 0; batches < MAX_BATCHES_PER_RUN && state != State.ABORTING; batches++) {
                if (!sink.isWritable()) {
                    if (unwritableSinceMillis == 0) {
                        unwritableSinceMillis = engine.clock().millis();
                    }
                    break;
                }
                if (!writeBatch()) {
                    break;
                }
                wrote = true;
            }
            if (state == State.ABORTING) {
                finish();
                return;
            }
            if (heartbeatDue) {
                heartbeatDue = false;
                if (!wrote) {
                    write(HEARTBEAT, 0, HEARTBEAT.length);
                    flush();
                }
            }
            if (state == State.CLOSING && queued() == 0) {
                writeShutdownRetry(); // in case the hub began closing after this run's first check
                finish();
            }
        } catch (IOException e) {
            // The client went away or the transport broke: normal for streams, so no stack trace.
            withIds(log.atDebug()).log("Connection {} ended while writing: {}", id, e.toString());
            abort("write failed");
            finish();
        } catch (EventLogException e) {
            engine.metrics().storeReadErrors.increment();
            withIds(log.atInfo()).log("Connection {} closed: history unreadable ({}); the client will resume", id,
                    e.getMessage());
            abort("history unreadable");
            finish();
        } catch (RuntimeException e) {
            withIds(log.atWarn()).setCause(e).log("Connection {} failed unexpectedly", id);
            abort("failed");
            finish();
        } finally {
            writingSinceMillis = 0;
            scheduled = false;
            if (hasWork() && SCHEDULED.compareAndSet(this, false, true)) {
                submitWriter();
            }
        }
    }

    /** Sends the reconnection delay the hub asked for as it shuts down, once; true if it did now. */
    private boolean writeShutdownRetry() throws IOException {
        Duration retry = shutdownRetry;
        if (retry == null || shutdownRetryWritten) {
            return false;
        }
        shutdownRetryWritten = true;
        byte[] line = SseEncoder.retry(retry);
        write(line, 0, line.length);
        flush();
        return true;
    }

    private void writePreamble() throws IOException {
        byte[] retry = SseEncoder.retry(engine.settings().retry());
        write(retry, 0, retry.length);
        if (resumeStatus == ResumeStatus.LIVE && idFormat == IdFormat.CURSOR) {
            // Where this stream starts, as an id with no data: EventSource takes it as its last
            // event ID without firing an event, so a client that reconnects before its first event
            // resumes from here instead of missing what was published while it was away.
            byte[] position = SseEncoder.idOnly(start.format());
            write(position, 0, position.length);
        }
        if ((resumeStatus == ResumeStatus.EXPIRED || resumeStatus == ResumeStatus.UNKNOWN) && idFormat == IdFormat.CURSOR) {
            writeReset(resumeStatus == ResumeStatus.EXPIRED ? "expired" : "unknown", requestedCursor, start.format());
        }
        flush();
    }

    /** Tells the client its history has a hole; the id moves its Last-Event-ID past the hole. */
    private void writeReset(String reason, String requested, String resumeFrom) throws IOException {
        String data = "{\"reason\":" + Json.string(reason)
                + ",\"lastEventId\":" + Json.string(requested)
                + ",\"resumeFrom\":" + Json.string(resumeFrom) + "}";
        byte[] reset = SseEncoder.event(resumeFrom, Engine.RESET_EVENT, data, null);
        write(reset, 0, reset.length);
        engine.metrics().resets.increment();
    }

    /**
     * Replays history, registers for live events, then reads once more to cover events dispatched
     * before the registration took effect. Duplicates between replay and the queue are dropped by
     * the cursor.
     */
    private boolean catchUp() throws IOException {
        boolean wrote = replay();
        // Until the second replay below is done, this connection relies on the dispatcher for
        // everything after what it has read itself.
        liveFrom = cursor.position();
        engine.index().add(this);
        live = true;
        if (state != State.STARTED) {
            // Closed while registering: release() may have run before the add, so undo it here.
            engine.index().remove(this);
            return wrote;
        }
        wrote |= replay();
        liveFrom = cursor.position();
        return wrote;
    }

    /**
     * Whether this connection relies on the dispatcher for events after {@code horizon}: true if it
     * is live and read the log itself only up to an earlier position.
     */
    boolean reliesOnDispatchBelow(long horizon) {
        return live && liveFrom < horizon;
    }

    /** Writes what the log holds after the cursor, page by page; true if anything was written. */
    private boolean replay() throws IOException {
        boolean wroteAny = false;
        while (true) {
            LogPage page = engine.log().readAfter(cursor.position(), REPLAY_PAGE);
            boolean wrote = false;
            if (page.horizon() > cursor.position()) {
                // Retention overtook this reader mid-replay: say so, and go on from what is left.
                String requested = cursor.format();
                engine.metrics().droppedExpired.add(page.horizon() - cursor.position());
                cursor.advanceTo(page.horizon());
                if (idFormat == IdFormat.CURSOR) {
                    writeReset("expired", requested, cursor.format());
                    wrote = true;
                }
            }
            for (Event event : page.events()) {
                if (!cursor.covers(event.id()) && accepts(event)) {
                    // Replay reads in id order: everything after this event is still to come.
                    writeEvent(Frame.of(event), event.id() + 1);
                    engine.metrics().replayed.increment();
                    wrote = true;
                } else {
                    cursor.advanceTo(event.id());
                }
            }
            if (wrote) {
                flush();
                wroteAny = true;
            }
            if (page.events().size() < REPLAY_PAGE || state == State.ABORTING) {
                return wroteAny;
            }
        }
    }

    /** Writes one batch from the queue and flushes it; false if the queue had nothing to write. */
    private boolean writeBatch() throws IOException {
        List<Frame> batch;
        long leftInQueue;
        // Each frame that overtakes an older one may add an id to the cursor; keep the cursor
        // bounded, and stop reordering while half of it is used, so the gap can close.
        // Mercure ids name one event each, so those streams keep log order.
        int overtakes = idFormat == IdFormat.CURSOR && cursor.extraCount() < Cursor.MAX_EXTRAS / 2
                ? Cursor.MAX_EXTRAS - cursor.extraCount() : 0;
        lock.lock();
        try {
            // Events that replay already wrote (around the switch to live) are dropped here, so
            // they neither count as pending nor cost the client anything.
            batch = queue.take(MAX_BATCH_BYTES, overtakes, cursor::covers);
            leftInQueue = batch.isEmpty() ? Long.MAX_VALUE : queue.minEventId(cursor::covers);
        } finally {
            lock.unlock();
        }
        if (batch.isEmpty()) {
            return false;
        }
        // nextPending[i]: the smallest event id still unwritten once batch[i] is written.
        long[] nextPending = new long[batch.size()];
        long min = leftInQueue;
        for (int i = batch.size() - 1; i >= 0; i--) {
            nextPending[i] = min;
            long eventId = batch.get(i).eventId();
            if (eventId != 0) {
                min = Math.min(min, eventId);
            }
        }
        for (int i = 0; i < batch.size(); i++) {
            Frame frame = batch.get(i);
            if (frame.event() == null) {
                write(frame.bytes(), 0, frame.bytes().length);
            } else {
                writeEvent(frame, nextPending[i]);
                if (liveWrites++ % MetricsRecorder.DELIVERY_SAMPLE == 0) {
                    recordLatency(frame.event());
                }
            }
        }
        flush();
        return true;
    }

    /** Reports one live event's time from the log to this write; a sample of them (see writeBatch). */
    private void recordLatency(Event event) {
        MetricsRecorder recorder = engine.recorder();
        if (recorder == MetricsRecorder.NONE) {
            return;
        }
        Instant now = engine.clock().instant();
        long nanos = (now.getEpochSecond() - event.time().getEpochSecond()) * 1_000_000_000L
                + (now.getNano() - event.time().getNano());
        try {
            recorder.deliveryLatency(Math.max(0, nanos));
        } catch (RuntimeException e) {
            log.debug("The metrics recorder failed: {}", e.toString());
        }
    }

    private void writeEvent(Frame frame, long nextPending) throws IOException {
        long eventId = frame.eventId();
        cursor.delivered(eventId, nextPending);
        deliveredSinceRecord = true;
        byte[] bytes = frame.bytes(idFormat);
        if (idFormat == IdFormat.MERCURE || cursor.isPlain(eventId)) {
            write(bytes, 0, bytes.length);
        } else {
            byte[] idLine = SseEncoder.idLine(cursor.format());
            write(idLine, 0, idLine.length);
            write(bytes, frame.bodyOffset(), bytes.length - frame.bodyOffset());
        }
        engine.metrics().delivered.increment();
    }

    private void write(byte[] bytes, int offset, int length) throws IOException {
        writingSinceMillis = engine.clock().millis();
        sink.write(bytes, offset, length);
    }

    private void flush() throws IOException {
        writingSinceMillis = engine.clock().millis();
        sink.flush();
        long now = engine.clock().millis();
        writingSinceMillis = 0;
        lastWriteMillis = now;
        recordDelivery();
    }

    /**
     * Tells the delivery cursors how far this stream's user has been served on its topics, once the
     * bytes are out. Only streams that resume from the cursor advance it ({@code since=last}, and
     * their reconnections): they started where it stood, so no event of their topics after it can
     * have been skipped. A stream that started live would claim events published before it connected.
     */
    private void recordDelivery() {
        if (!deliveredSinceRecord || cursorKey == null) {
            return;
        }
        deliveredSinceRecord = false;
        long position = cursor.position();
        if (position <= recordedPosition) {
            return;
        }
        recordedPosition = position;
        try {
            engine.cursors().delivered(cursorKey, position);
        } catch (RuntimeException e) {
            // A lost record only means a new device may get a few events twice.
            withIds(log.atDebug()).log("Could not record the delivery position of user {}: {}", subscriber.userId(),
                    e.toString());
        }
    }

    /** Ends the response; the writer's last act. */
    private void finish() {
        State current = (State) STATE.getAndSet(this, State.FINISHED);
        if (current == State.FINISHED) {
            return;
        }
        boolean abrupt = current == State.ABORTING;
        if (current == State.STARTED || current == State.OPENED) {
            // Finished without a close request (the executor refused work): release here.
            closeReason = closeReason == null ? "hub stopped" : closeReason;
            release();
            if (current == State.STARTED) {
                streamEnded();
            }
        }
        if (live) {
            engine.index().remove(this);
        }
        dropQueue();
        EventSink openSink = sink;
        if (openSink != null) {
            if (abrupt) {
                openSink.abort();
            } else {
                openSink.close();
            }
        }
        engine.connectionFinished(this);
    }

    @Override
    public String toString() {
        return "Connection[" + id + ", user=" + subscriber.userId() + ", topics=" + topics.size() + "]";
    }
}
