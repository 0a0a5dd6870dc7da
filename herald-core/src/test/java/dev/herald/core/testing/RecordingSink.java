package dev.herald.core.testing;

import dev.herald.core.EventSink;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An {@link EventSink} that keeps what it is sent, for tests. It can be made to block in
 * {@link #flush()} (a client that stops reading) or to fail (a client that went away).
 */
public final class RecordingSink implements EventSink {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final SseParser parser = new SseParser();
    private final AtomicInteger flushes = new AtomicInteger();
    private final AtomicInteger blocked = new AtomicInteger();
    private volatile CountDownLatch gate;
    private volatile boolean failing;
    private volatile boolean closed;
    private volatile boolean aborted;
    private volatile int concurrentCalls;
    private final AtomicInteger inside = new AtomicInteger();
    private final java.util.Set<String> flushThreads = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile java.util.concurrent.Executor executor;
    private volatile boolean writable = true;

    @Override
    public void write(byte[] data, int offset, int length) throws IOException {
        enter();
        try {
            if (failing) {
                throw new IOException("client went away");
            }
            synchronized (this) {
                bytes.write(data, offset, length);
            }
        } finally {
            leave();
        }
    }

    @Override
    public void flush() throws IOException {
        enter();
        try {
            CountDownLatch current = gate;
            if (current != null) {
                blocked.incrementAndGet();
                try {
                    if (!current.await(30, TimeUnit.SECONDS)) {
                        throw new IOException("gate never opened");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted");
                } finally {
                    blocked.decrementAndGet();
                }
            }
            if (failing) {
                throw new IOException("client went away");
            }
            byte[] pending;
            synchronized (this) {
                pending = bytes.toByteArray();
                bytes.reset();
            }
            parser.feed(pending);
            flushThreads.add(Thread.currentThread().getName());
            synchronized (this) {
                raw.append(new String(pending, StandardCharsets.UTF_8));
            }
            flushes.incrementAndGet();
        } finally {
            leave();
        }
    }

    private final StringBuilder raw = new StringBuilder();

    @Override
    public void close() {
        closed = true;
    }

    @Override
    public void abort() {
        aborted = true;
        closed = true;
    }

    /** Whether the hub ended the response abruptly ({@link #abort()}) rather than gracefully. */
    public boolean isAborted() {
        return aborted;
    }

    @Override
    public java.util.concurrent.Executor executor() {
        return executor;
    }

    @Override
    public boolean isWritable() {
        return writable;
    }

    /** Acts as a non-blocking transport whose writer runs on this executor once live. */
    public RecordingSink onExecutor(java.util.concurrent.Executor value) {
        executor = value;
        return this;
    }

    /** Acts as a non-blocking transport whose buffer is (or is no longer) full. */
    public void writable(boolean value) {
        writable = value;
    }

    /** The names of the threads that flushed. */
    public java.util.Set<String> flushThreads() {
        return java.util.Set.copyOf(flushThreads);
    }

    /** Makes every following flush block until {@link #unblock()}. */
    public RecordingSink block() {
        gate = new CountDownLatch(1);
        return this;
    }

    public void unblock() {
        CountDownLatch current = gate;
        gate = null;
        if (current != null) {
            current.countDown();
        }
    }

    /** Makes every following write fail, as when the client has gone. */
    public void fail() {
        failing = true;
    }

    public boolean isClosed() {
        return closed;
    }

    /** Everything flushed so far, as text. */
    public synchronized String text() {
        return raw.toString();
    }

    public List<SseParser.Received> events() {
        return parser.events();
    }

    public List<SseParser.Received> events(String type) {
        return parser.events(type);
    }

    public SseParser parser() {
        return parser;
    }

    /** How many calls are waiting for {@link #unblock()} now. */
    public int blockedCalls() {
        return blocked.get();
    }

    public int flushes() {
        return flushes.get();
    }

    /** The most calls that were ever inside the sink at once; the hub promises 1. */
    public int maxConcurrentCalls() {
        return concurrentCalls;
    }

    private void enter() {
        int now = inside.incrementAndGet();
        if (now > concurrentCalls) {
            concurrentCalls = now;
        }
    }

    private void leave() {
        inside.decrementAndGet();
    }
}
