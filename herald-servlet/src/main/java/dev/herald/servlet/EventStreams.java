package dev.herald.servlet;

import dev.herald.core.Connection;
import dev.herald.core.Hub;
import dev.herald.core.SubscribeRequest;
import dev.herald.http.Subscriptions;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Objects;

/**
 * Turns a servlet request into a Herald stream: the one place a request becomes
 * {@code text/event-stream}. Use it from your own controllers to serve a stream with your own
 * topics and identity; Herald's {@code GET /events} uses it too.
 *
 * <pre>{@code
 * @GetMapping("/me/notifications")
 * void notifications(HttpServletRequest request, HttpServletResponse response) throws IOException {
 *     streams.open(request, response, SubscribeRequest.topics("users/" + currentUser())
 *             .subscriber(Subscriber.user(currentUser()))
 *             .lastEventId(EventStreams.lastEventId(request)).build());
 * }
 * }</pre>
 */
public final class EventStreams {

    /** The response header that tells the client where its replay starts. */
    public static final String LAST_EVENT_ID = Subscriptions.LAST_EVENT_ID;

    private final Hub hub;

    /**
     * Streams for the given hub; the starter registers one as a bean, so controllers inject it.
     *
     * @param hub the hub every stream opened here belongs to
     */
    public EventStreams(Hub hub) {
        this.hub = Objects.requireNonNull(hub, "hub");
    }

    /**
     * Opens a connection and starts streaming on this request. Checks (limits, Last-Event-ID) run
     * first and throw a {@link dev.herald.core.HeraldException} before anything is written, so
     * the caller's exception handling can answer with a problem response. Returns at once; the
     * hub's writer streams from then on.
     */
    public Connection open(HttpServletRequest request, HttpServletResponse response, SubscribeRequest subscription)
            throws IOException {
        Connection connection = hub.open(subscription);
        AsyncContext async = null;
        try {
            response.setStatus(HttpServletResponse.SC_OK);
            response.setContentType("text/event-stream");
            response.setHeader("Cache-Control", "no-cache");
            response.setHeader("X-Accel-Buffering", "no");
            response.setHeader(LAST_EVENT_ID, connection.resumePoint());
            async = request.startAsync(request, response);
            async.setTimeout(0); // the hub decides when a stream ends
            // Commit the head here, on the request's thread: filters still on the way out (Spring
            // Security's header writer) may set headers, which must not race the writer's first flush.
            response.flushBuffer();
            ServletEventSink sink = new ServletEventSink(async);
            sink.attach(connection);
            async.addListener(sink);
            connection.start(sink);
            return connection;
        } catch (IOException | RuntimeException e) {
            connection.close();
            if (async != null) {
                // Without a timeout, an async request nobody completes would stay open for good.
                try {
                    async.complete();
                } catch (IllegalStateException alreadyDone) {
                    // The container finished it already.
                }
            }
            throw e;
        }
    }

    /**
     * The client's resume point: the {@code Last-Event-ID} header (sent by browsers on reconnect)
     * or else the {@code lastEventId} (or Mercure's {@code lastEventID}) query parameter.
     */
    public static String lastEventId(HttpServletRequest request) {
        return Subscriptions.lastEventId(new ServletRequestView(request));
    }
}
