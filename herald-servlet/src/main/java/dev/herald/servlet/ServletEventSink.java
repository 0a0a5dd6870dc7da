package dev.herald.servlet;

import dev.herald.core.Connection;
import dev.herald.core.EventSink;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A servlet async response as an {@link EventSink}.
 *
 * <p>Two kinds of threads touch the response: the hub's writer (write, flush, close; one at a
 * time) and the container (the {@link AsyncListener} callbacks, after an error, a timeout or
 * completion). The container recycles the request and response objects as soon as the async
 * request completes, so a write that is still running at that moment lands in whatever request
 * reuses them next. Hence the {@link #io} lock: the writer holds it around every use of the
 * response, and the container callbacks take it before marking the response finished. After
 * that the writer never touches the response again; it gets an {@link EOFException} instead.
 * This is also what prevents the familiar "A non-container thread attempted to use the
 * AsyncContext after an error had occurred" failure of hand-written emitters.
 */
final class ServletEventSink implements EventSink, AsyncListener {

    private final AsyncContext async;
    private final ServletOutputStream out;
    private final ReentrantLock io = new ReentrantLock();
    /** Guarded by {@link #io}. */
    private boolean finished;
    private volatile Connection connection;

    ServletEventSink(AsyncContext async) throws IOException {
        this.async = async;
        this.out = async.getResponse().getOutputStream();
    }

    void attach(Connection value) {
        this.connection = value;
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        io.lock();
        try {
            ensureUsable();
            out.write(bytes, offset, length);
        } catch (IllegalStateException e) {
            throw new EOFException("the response is no longer usable: " + e.getMessage());
        } finally {
            io.unlock();
        }
    }

    @Override
    public void flush() throws IOException {
        io.lock();
        try {
            ensureUsable();
            out.flush();
        } catch (IllegalStateException e) {
            throw new EOFException("the response is no longer usable: " + e.getMessage());
        } finally {
            io.unlock();
        }
    }

    private void ensureUsable() throws EOFException {
        if (finished) {
            throw new EOFException("the response has completed");
        }
    }

    /** Called by the writer: ends the response. */
    @Override
    public void close() {
        finish(true);
    }

    @Override
    public Transport transport() {
        return Transport.SERVLET;
    }

    /** Marks the response finished (waiting for a write in progress) and completes it if asked. */
    private void finish(boolean complete) {
        io.lock();
        try {
            if (finished) {
                return;
            }
            finished = true;
            if (complete) {
                try {
                    async.complete();
                } catch (IllegalStateException alreadyDone) {
                    // The container ended the request first: nothing left to end.
                }
            }
        } finally {
            io.unlock();
        }
    }

    private void gone() {
        Connection current = connection;
        if (current != null) {
            current.disconnected();
        }
    }

    @Override
    public void onComplete(AsyncEvent event) {
        finish(false);
        gone();
    }

    @Override
    public void onTimeout(AsyncEvent event) {
        gone();
        finish(true);
    }

    @Override
    public void onError(AsyncEvent event) {
        gone();
        finish(true);
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
    }
}
