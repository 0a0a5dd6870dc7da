package dev.herald.server.demo;

import dev.herald.core.Connection;
import dev.herald.core.ConnectionInfo;
import dev.herald.core.Hub;
import dev.herald.core.Publication;
import dev.herald.core.SseMessage;
import dev.herald.core.SubscribeRequest;
import dev.herald.core.Subscriber;
import dev.herald.spring.web.EventStreams;
import dev.herald.http.HeraldAuthenticator;
import dev.herald.spring.web.ServletRequestView;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * The endpoints of the seed posts, served by the hub instead of a map of emitters:
 * <ul>
 *   <li>{@code GET /sse}: ten {@code customEvent} messages, "Message 1" to "Message 10", one per
 *       {@code herald.demo.sse-interval}, then the stream ends (seed 000).</li>
 *   <li>{@code GET /stream-sse?user=NAME}: a per-user stream that opens with a {@code message}
 *       whose data is the user name; every {@code herald.demo.stream-interval} one connected user
 *       chosen at random is sent {@code {"time": ...}} as a stored event with an id (seed 001).</li>
 *   <li>{@code GET /connect/{id}}: a stream for user {@code id}, opened with a {@code connect}
 *       event and a short {@code retry}; a new connection for the same id replaces the old (seed 003).</li>
 * </ul>
 * Per-user streams listen on the topic {@code users/NAME}, so {@code POST /events} to that topic
 * reaches them. All timing runs on one scheduler thread, {@code herald-demo}, never a thread per
 * request.
 */
@RestController
@ConditionalOnBooleanProperty(name = "herald.demo.enabled", matchIfMissing = true)
public class SeedDemos implements DisposableBean {

    /** The topic every {@code /stream-sse} connection also selects, so the scheduler can find them. */
    static final String STREAM_SSE_TOPIC = "demo/stream-sse";

    private static final Logger log = LoggerFactory.getLogger(SeedDemos.class);

    private final Hub hub;
    private final EventStreams streams;
    private final HeraldAuthenticator authenticator;
    private final DemoProperties properties;
    private final ScheduledExecutorService scheduler =
            Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("herald-demo").daemon(true).factory());

    public SeedDemos(Hub hub, EventStreams streams, HeraldAuthenticator authenticator, DemoProperties properties) {
        this.hub = hub;
        this.streams = streams;
        this.authenticator = authenticator;
        this.properties = properties;
        long every = properties.getStreamInterval().toMillis();
        scheduler.scheduleWithFixedDelay(this::sendTimeToARandomUser, every, every, TimeUnit.MILLISECONDS);
    }

    /** Seed 000: ten messages, then the server ends the stream. */
    @GetMapping("/sse")
    public void sse(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Connection connection = streams.open(request, response, SubscribeRequest.topics("demo/sse")
                .subscriber(authenticator.authenticateSubscriber(new ServletRequestView(request))).build());
        scheduleMessage(connection, 1);
    }

    private void scheduleMessage(Connection connection, int number) {
        long delay = number == 1 ? 0 : properties.getSseInterval().toMillis();
        scheduler.schedule(() -> {
            // A client that left makes send return false: stop quietly, nothing to clean up.
            if (!connection.send(SseMessage.of("customEvent", "Message " + number))) {
                return;
            }
            if (number < 10) {
                scheduleMessage(connection, number + 1);
            } else {
                connection.close();
            }
        }, delay, TimeUnit.MILLISECONDS);
    }

    /** Seed 001: one stream per user, greeted with its own name. */
    @GetMapping("/stream-sse")
    public void streamSse(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String user = request.getParameter("user");
        if (user == null || user.isBlank()) {
            user = "empty"; // the seed's default
        }
        Connection connection = streams.open(request, response, SubscribeRequest.topics("users/" + user, STREAM_SSE_TOPIC)
                .subscriber(Subscriber.user(user))
                .clientId("stream-sse")
                .lastEventId(EventStreams.lastEventId(request))
                .build());
        connection.send(SseMessage.of("message", user));
    }

    /** Seed 003: a first event and a retry, and a reconnect replaces the older stream. */
    @GetMapping("/connect/{id}")
    public void connect(@PathVariable("id") String id, HttpServletRequest request, HttpServletResponse response)
            throws IOException {
        Connection connection = streams.open(request, response, SubscribeRequest.topics("users/" + id)
                .subscriber(Subscriber.user(id))
                .clientId("connect")
                .lastEventId(EventStreams.lastEventId(request))
                .build());
        connection.send(SseMessage.of("connect", "connected: " + id).withRetry(properties.getConnectRetry()));
    }

    /** Seed 001's scheduler: the time, as a stored event with an id, to one user chosen at random. */
    void sendTimeToARandomUser() {
        try {
            List<String> users = hub.connections().stream()
                    .filter(c -> c.topics().contains(STREAM_SSE_TOPIC) && c.state() == ConnectionInfo.State.LIVE)
                    .map(ConnectionInfo::userId)
                    .distinct()
                    .toList();
            if (users.isEmpty()) {
                return;
            }
            String user = users.get(ThreadLocalRandom.current().nextInt(users.size()));
            hub.publish(Publication.to("users/" + user)
                    .type("message")
                    .data("{\"time\":\"" + Instant.now() + "\"}")
                    .audience(user)
                    .build());
        } catch (RuntimeException e) {
            log.debug("Demo time event not sent: {}", e.toString());
        }
    }

    @Override
    public void destroy() {
        scheduler.shutdownNow();
    }
}
