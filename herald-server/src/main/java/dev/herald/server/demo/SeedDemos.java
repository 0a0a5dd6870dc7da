package dev.herald.server.demo;

import dev.herald.core.Connection;
import dev.herald.core.ConnectionInfo;
import dev.herald.core.Hub;
import dev.herald.core.Publication;
import dev.herald.core.SseMessage;
import dev.herald.core.SubscribeRequest;
import dev.herald.core.Subscriber;
import dev.herald.core.TopicSelector;
import dev.herald.http.Access;
import dev.herald.http.AccessDeniedException;
import dev.herald.http.AuthenticationRequiredException;
import dev.herald.http.HttpRequestView;
import dev.herald.http.Subscriptions;
import dev.herald.netty.HeraldNettyServer;
import dev.herald.netty.StreamRoute;
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
import org.springframework.stereotype.Component;

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
 * reaches them. With authentication configured, who NAME is comes from the caller's token, never
 * from the request: {@code /stream-sse} ignores {@code ?user=} and {@code /connect/{id}} is refused
 * unless the token's subject is {@code id} (or an admin's). All timing runs on one scheduler
 * thread, {@code herald-demo}, never a thread per request.
 */
@Component
@ConditionalOnBooleanProperty(name = "herald.demo.enabled", matchIfMissing = true)
public class SeedDemos implements DisposableBean {

    /** The topic every {@code /stream-sse} connection also selects, so the scheduler can find them. */
    static final String STREAM_SSE_TOPIC = "demo/stream-sse";

    private static final Logger log = LoggerFactory.getLogger(SeedDemos.class);

    private final Hub hub;
    private final DemoProperties properties;
    private final ScheduledExecutorService scheduler =
            Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("herald-demo").daemon(true).factory());

    public SeedDemos(Hub hub, DemoProperties properties) {
        this.hub = hub;
        this.properties = properties;
        long every = properties.getStreamInterval().toMillis();
        scheduler.scheduleWithFixedDelay(this::sendTimeToARandomUser, every, every, TimeUnit.MILLISECONDS);
    }

    /** Adds the demo endpoints to the server. */
    public void register(HeraldNettyServer.Builder server) {
        server.stream("/sse", new StreamRoute() {
            @Override
            public SubscribeRequest subscription(HttpRequestView request, Access access) {
                SubscribeRequest subscription = SubscribeRequest.topics("demo/sse").subscriber(access.subscriber()).build();
                access.checkSubscribe(subscription.topics());
                return subscription;
            }

            @Override
            public void opened(Connection connection, HttpRequestView request) {
                scheduleMessage(connection, 1);
            }
        });
        server.stream("/stream-sse", new StreamRoute() {
            @Override
            public SubscribeRequest subscription(HttpRequestView request, Access access) {
                String user = user(access);
                // Exact selectors: a user id with braces must not become a template.
                return SubscribeRequest.builder().topic(new TopicSelector.Exact("users/" + user))
                        .topic(new TopicSelector.Exact(STREAM_SSE_TOPIC))
                        .subscriber(new Subscriber(user, access.privateTopics(), access.expiresAt()))
                        .clientId("stream-sse")
                        .lastEventId(Subscriptions.lastEventId(request))
                        .build();
            }

            @Override
            public void opened(Connection connection, HttpRequestView request) {
                connection.send(SseMessage.of("message", connection.subscriber().userId()));
            }
        });
        server.streamsUnder("/connect/", new StreamRoute() {
            @Override
            public SubscribeRequest subscription(HttpRequestView request, Access access) {
                String id = request.path().substring("/connect/".length());
                if (!access.mayActAs(id)) {
                    throw access.isAuthenticated()
                            ? new AccessDeniedException("this token may not connect as \"" + id + "\"")
                            : new AuthenticationRequiredException("connecting as a user needs that user's token");
                }
                return SubscribeRequest.builder().topic(new TopicSelector.Exact("users/" + id))
                        .subscriber(new Subscriber(id, access.privateTopics(), access.expiresAt()))
                        .clientId("connect")
                        .lastEventId(Subscriptions.lastEventId(request))
                        .build();
            }

            @Override
            public void opened(Connection connection, HttpRequestView request) {
                String id = request.path().substring("/connect/".length());
                connection.send(SseMessage.of("connect", "connected: " + id).withRetry(properties.getConnectRetry()));
            }
        });
    }

    /**
     * The stream's user: the authenticated one. A trusted caller without one (no authentication
     * configured, no {@code ?user=}) is the seed's default, "empty".
     */
    private static String user(Access access) {
        if (access.userId() != null) {
            return access.userId();
        }
        if (access.isTrusted()) {
            return "empty";
        }
        throw new AuthenticationRequiredException("a per-user stream needs a token with a subject");
    }

    /** Seed 000: ten messages, then the server ends the stream. */
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
