package dev.herald.core.internal;

import dev.herald.core.Event;
import dev.herald.core.EventLog;
import dev.herald.core.EventLogException;
import dev.herald.core.LogPage;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the log and fans each new event out to the queues of the live connections that want it.
 * One platform thread, {@code herald-dispatcher}, owned by the engine: it reads the log in id order,
 * so every connection receives events in id order, and it is woken by the {@code EventBus} or by
 * its own poll. It never touches a socket.
 */
final class Dispatcher implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);
    private static final int PAGE = 512;

    private final Engine engine;
    private final EventLog eventLog;
    private final SubscriptionIndex index;
    private final long pollNanos;
    private final Thread thread;
    private final SubscriptionIndex.Scratch scratch = new SubscriptionIndex.Scratch();
    private final DrainBatch batch = new DrainBatch();
    private volatile boolean running = true;
    /** The id of the last event dispatched. Dispatcher thread only. */
    private long position;
    private boolean failing;
    /** Connections this round that selected an event they may not receive. Dispatcher thread only. */
    private long notPermitted;

    Dispatcher(Engine engine, EventLog eventLog, SubscriptionIndex index, Duration pollInterval, long start) {
        this.engine = engine;
        this.eventLog = eventLog;
        this.index = index;
        this.pollNanos = pollInterval.toNanos();
        this.position = start;
        this.thread = Thread.ofPlatform().name("herald-dispatcher").daemon(true).unstarted(this);
    }

    void start() {
        thread.start();
    }

    /** Called from any thread when the log may hold new events. */
    void wake() {
        LockSupport.unpark(thread);
    }

    /** Asks the thread to stop after its current round, without waiting for it. */
    void requestStop() {
        running = false;
        LockSupport.unpark(thread);
    }

    /** Stops the thread, waiting for it at most {@code timeout} (at least a millisecond). */
    void stop(Duration timeout) throws InterruptedException {
        requestStop();
        thread.join(Math.max(1, timeout.toMillis()));
    }

    @Override
    public void run() {
        while (running) {
            LogPage page;
            try {
                page = eventLog.readAfter(position, PAGE);
                if (failing) {
                    failing = false;
                    log.info("The event log is readable again; dispatching resumes at {}", position);
                }
            } catch (RuntimeException e) {
                if (e instanceof EventLogException) {
                    engine.metrics().storeReadErrors.increment();
                }
                if (!failing) {
                    failing = true;
                    log.warn("Cannot read the event log; live dispatch pauses until it recovers: {}", e.toString());
                }
                LockSupport.parkNanos(pollNanos);
                continue;
            }
            if (page.horizon() > position) {
                log.warn("Retention dropped {} events before they were dispatched; live connections will reconnect and be told",
                        page.horizon() - position);
                try {
                    engine.resyncLiveConnections(page.horizon());
                } catch (RuntimeException e) {
                    log.error("Could not resync live connections", e);
                }
                position = page.horizon();
            }
            for (Event event : page.events()) {
                dispatch(event);
                position = event.id();
                // Start writers often enough that the first events of a long page are not held back.
                if (batch.size() >= 4096) {
                    batch.submit();
                }
            }
            batch.submit();
            if (notPermitted > 0) {
                engine.metrics().droppedNotPermitted.add(notPermitted);
                notPermitted = 0;
            }
            if (page.events().isEmpty()) {
                LockSupport.parkNanos(pollNanos);
            }
        }
    }

    private void dispatch(Event event) {
        if (Engine.isControl(event)) {
            engine.control(event);
            return;
        }
        Frame[] frame = new Frame[1];
        index.forEachSelecting(event, scratch, connection -> {
            try {
                if (connection.subscriber().mayReceive(event)) {
                    if (frame[0] == null) {
                        frame[0] = Frame.of(event);
                    }
                    connection.enqueue(frame[0], batch);
                } else {
                    notPermitted++;
                }
            } catch (RuntimeException e) {
                // This connection would silently miss the event: close it, so it resumes and gets it.
                connection.withIds(log.atError()).addKeyValue(StreamConnection.EVENT_ID_KEY, Long.toString(event.id()))
                        .setCause(e).log("Could not dispatch event {} to connection {}", event.id(), connection.id());
                connection.close("dispatch failed");
            }
        });
    }
}
