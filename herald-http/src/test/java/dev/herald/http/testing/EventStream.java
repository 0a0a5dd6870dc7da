package dev.herald.http.testing;

import dev.herald.core.testing.SseParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.Headers;
import okhttp3.Protocol;
import okhttp3.Response;

/**
 * The response to a subscribe request, read as it arrives: status and headers at once, then the
 * body's bytes fed to an {@link SseParser} on a virtual thread ({@code sse-stream}) until the
 * server ends the response or the stream is {@linkplain #close closed}. A stalled stream reads
 * nothing after the headers, as a client on a stalled network.
 *
 * <p>Status, headers and {@link #close()} belong to the test's thread; {@link #text()},
 * {@link #parser()} and {@link #ended()} may be read from any thread while the body arrives.
 */
public final class EventStream implements AutoCloseable {

    private final Call call;
    private final Response response;
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private final SseParser parser = new SseParser();
    private final CountDownLatch ended = new CountDownLatch(1);
    private final Thread reader;
    private volatile IOException failure;

    private EventStream(Call call, Response response, boolean read) {
        this.call = call;
        this.response = response;
        this.reader = read ? Thread.ofVirtual().name("sse-stream").start(this::read) : null;
    }

    /** Executes the call and starts reading its body (unless {@code read} is false). */
    static EventStream open(Call call, boolean read) throws IOException {
        return new EventStream(call, call.execute(), read);
    }

    public int status() {
        return response.code();
    }

    /** The first value of a header, or {@code null}; names are case-insensitive. */
    public String header(String name) {
        return response.header(name);
    }

    public Headers headers() {
        return response.headers();
    }

    /** The protocol the exchange used. */
    public Protocol protocol() {
        return response.protocol();
    }

    /** The events and comments parsed so far, as a browser would see them. */
    public SseParser parser() {
        return parser;
    }

    /** The events received so far. */
    public List<SseParser.Received> events() {
        return parser.events();
    }

    /** The body received so far, as UTF-8 text. */
    public String text() {
        synchronized (body) {
            return body.toString(StandardCharsets.UTF_8);
        }
    }

    /** Whether the body is over: ended by the server, broken, or closed here. */
    public boolean ended() {
        return ended.getCount() == 0;
    }

    /** Whether the server ended the body as HTTP ends a response (not a reset or a broken connection). */
    public boolean endedCleanly() {
        return ended() && failure == null;
    }

    /** Why the body broke off, or {@code null}. */
    public IOException failure() {
        return failure;
    }

    /** Waits for the body to end. */
    public boolean awaitEnd(Duration timeout) throws InterruptedException {
        return ended.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The whole response, once the body has ended (a refusal's problem, for instance). */
    public Answer toAnswer() {
        if (!ended()) {
            throw new IllegalStateException("the response has not ended yet");
        }
        return new Answer(status(), headers(), text(), protocol());
    }

    /** Gives up the response: the connection (HTTP/1.1) or the stream (HTTP/2) is closed at once. */
    @Override
    public void close() {
        call.cancel();
        // The reader's read fails at once and closes the body itself; OkHttp's body must not be
        // closed from two threads (the second close of an HTTP/1.1 body that failed throws).
        if (reader != null) {
            try {
                reader.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            response.close();
        } catch (IllegalStateException alreadyClosed) {
            // The reader was still closing it.
        }
    }

    private void read() {
        try (InputStream in = response.body().byteStream()) {
            byte[] buffer = new byte[16 * 1024];
            int read;
            while ((read = in.read(buffer)) >= 0) {
                byte[] bytes = Arrays.copyOf(buffer, read);
                synchronized (body) {
                    body.write(bytes, 0, read);
                }
                parser.feed(bytes);
            }
        } catch (IOException e) {
            failure = e;
        } finally {
            ended.countDown();
        }
    }

    @Override
    public String toString() {
        return status() + " over " + protocol() + ", " + events().size() + " events" + (ended() ? ", ended" : "");
    }
}
