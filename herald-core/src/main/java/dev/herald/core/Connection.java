package dev.herald.core;

import java.time.Instant;
import java.util.List;

/**
 * One subscriber's stream, from {@link Hub#open(SubscribeRequest)} to its close.
 *
 * <p>Lifecycle: a connection is <em>opened</em> (its slot is reserved and its resume point fixed),
 * then <em>started</em> once with the transport's {@link EventSink}, then closed exactly once: by
 * {@link #close()}, by the transport reporting the client gone ({@link #disconnected()}), by a
 * replacement with the same client id, by its queue overflowing, by its maximum lifetime, or by the
 * hub shutting down. Every method is safe to call from any thread, and safe to call after close.
 */
public interface Connection {

    /** A hub-unique number for logs and admin views. */
    long id();

    Subscriber subscriber();

    /** The client id the subscriber chose, or {@code null}. */
    String clientId();

    List<TopicSelector> topics();

    /** How the connection's history was settled when it opened. */
    ResumeStatus resumeStatus();

    /**
     * The cursor replay starts after, for the {@code Last-Event-ID} response header: the client's
     * own id when it {@linkplain ResumeStatus#RESUMED resumes}, otherwise the position the hub chose.
     * A Mercure stream ({@link IdFormat#MERCURE}) says {@code earliest} instead when it replays all
     * the hub retains (an unknown or expired id), and gives a position as its {@link EventIds#urn URN}.
     */
    String resumePoint();

    Instant openedAt();

    /**
     * Starts streaming to the sink: the writer sends the preamble ({@code retry:}), any replay, then
     * live events. Call once, after the response headers are set.
     *
     * @throws IllegalStateException if already started
     */
    void start(EventSink sink);

    /**
     * Queues a message for this connection only. Returns {@code false} if the connection is closed
     * or its queue is full (which closes it).
     */
    boolean send(SseMessage message);

    /**
     * Closes gracefully: no more events are queued, what is queued is still written, then the
     * stream ends. The client will reconnect unless told otherwise.
     */
    void close();

    /**
     * Tells the hub that the client went away (the transport saw an error or a closed socket): the
     * connection is released at once and nothing more is written.
     */
    void disconnected();

    /**
     * Tells the writer that a non-blocking transport can take bytes again (see
     * {@link EventSink#isWritable()}). Safe from any thread.
     */
    void writable();

    /** Whether the connection still accepts events. */
    boolean isOpen();
}
