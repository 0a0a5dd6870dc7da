package dev.herald.http;

import dev.herald.core.Connection;
import dev.herald.core.EventIds;
import dev.herald.core.Hub;
import dev.herald.core.LogPage;
import dev.herald.core.Presence;
import dev.herald.core.Publication;
import dev.herald.core.TopicSelector;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Mercure's active subscriptions: an update when a subscription starts and when it ends, and the
 * web API that lists them, across the cluster.
 *
 * <p>Each topic selector of a Mercure stream is a subscription, named
 * {@code <hub>/subscriptions/<topic>/<subscriber>} (both escaped as form values), where the
 * subscriber is a {@code urn:uuid:} made for the stream. On open and close the hub publishes a
 * private update to that name, whose data is the subscription's JSON-LD document
 * ({@code active} true, then false): subscribers whose token grants the name receive them, on
 * every node, and they stay in the history like any update. A closed stream is noticed within
 * {@code sweepEvery}. Every node shares the list of its own active subscriptions through
 * {@link Presence#share}, so the API lists every live node's (another node's as of its last
 * presence report).
 *
 * <p>Thread-safe. {@link #close()} stops the sweeper.
 */
public final class MercureSubscriptions implements AutoCloseable {

    /** The JSON-LD context of Mercure's documents. */
    public static final String CONTEXT = "https://mercure.rocks/";
    /** The name this node's list is shared under. */
    static final String SHARED_NAME = "mercure-subscriptions";

    private static final Logger log = LoggerFactory.getLogger(MercureSubscriptions.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Hub hub;
    private final Presence presence;
    private final String hubPath;
    private final Map<Connection, List<ObjectNode>> active = new ConcurrentHashMap<>();
    private final ScheduledExecutorService sweeper;

    /**
     * @param hub        where the subscription updates are published
     * @param presence   how the nodes share their lists ({@link Presence#local} on one node)
     * @param hubPath    the hub's path ({@code /.well-known/mercure}); subscriptions live under it
     * @param sweepEvery how often closed streams are looked for
     */
    public MercureSubscriptions(Hub hub, Presence presence, String hubPath, Duration sweepEvery) {
        this.hub = hub;
        this.presence = presence;
        this.hubPath = hubPath;
        this.sweeper = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("herald-mercure-subscriptions").daemon(true).factory());
        long every = Math.max(1, sweepEvery.toMillis());
        sweeper.scheduleWithFixedDelay(this::sweep, every, every, TimeUnit.MILLISECONDS);
    }

    /** The path under which the subscriptions API answers: {@code <hub>/subscriptions}. */
    public String apiPath() {
        return hubPath + "/subscriptions";
    }

    /**
     * Registers a Mercure stream that has just started: one subscription per topic selector,
     * announced at once. Call it after the stream is started.
     */
    public void opened(Connection connection, Access access) {
        String subscriber = EventIds.URN_PREFIX + UUID.randomUUID();
        List<ObjectNode> subscriptions = new ArrayList<>();
        for (TopicSelector topic : connection.topics()) {
            subscriptions.add(document(topic.value(), subscriber, access.payload()));
        }
        active.put(connection, subscriptions);
        announce(subscriptions, true);
        if (!connection.isOpen() && active.remove(connection) != null) {
            announce(subscriptions, false);
        }
        share();
    }

    /** Looks for streams that closed since the last sweep and announces the end of their subscriptions. */
    void sweep() {
        try {
            boolean changed = false;
            for (Map.Entry<Connection, List<ObjectNode>> entry : active.entrySet()) {
                if (!entry.getKey().isOpen() && active.remove(entry.getKey()) != null) {
                    announce(entry.getValue(), false);
                    changed = true;
                }
            }
            if (changed) {
                share();
            }
        } catch (RuntimeException e) {
            log.warn("Could not sweep Mercure subscriptions: {}", e.toString());
        }
    }

    /**
     * The subscriptions API's answer for a raw path under {@link #apiPath()}: the collection of
     * every subscription, of one topic's, or one subscription's document, in JSON-LD with the
     * hub's {@code lastEventID}.
     *
     * @throws NotFoundException for a subscription no node has, or a path with more segments
     * @throws AccessDeniedException or {@link AuthenticationRequiredException} unless the caller's
     *                               token grants the requested path as a topic
     */
    public String answer(String rawPath, Access access) {
        String rest = rawPath.length() > apiPath().length() ? rawPath.substring(apiPath().length() + 1) : "";
        if (rest.endsWith("/")) {
            rest = rest.substring(0, rest.length() - 1);
        }
        String[] segments = rest.isEmpty() ? new String[0] : rest.split("/", -1);
        if (segments.length > 2) {
            throw new NotFoundException();
        }
        String topic = segments.length > 0 ? decode(segments[0]) : null;
        String subscriber = segments.length > 1 ? decode(segments[1]) : null;
        // The path as subscription updates name it, however the client escaped it.
        String requested = apiPath() + (topic == null ? "" : "/" + encode(topic)) + (subscriber == null ? "" : "/" + encode(subscriber));
        checkGranted(access, requested);
        String lastEventId = lastEventId();
        List<JsonNode> matching = new ArrayList<>();
        for (JsonNode subscription : all()) {
            if ((topic == null || topic.equals(subscription.path("topic").asString()))
                    && (subscriber == null || subscriber.equals(subscription.path("subscriber").asString()))) {
                matching.add(subscription);
            }
        }
        if (subscriber != null) {
            if (matching.isEmpty()) {
                throw new NotFoundException();
            }
            ObjectNode one = JSON.createObjectNode().put("@context", CONTEXT);
            one.setAll((ObjectNode) matching.getFirst());
            one.put("lastEventID", lastEventId);
            return JSON.writeValueAsString(one);
        }
        ObjectNode collection = JSON.createObjectNode()
                .put("@context", CONTEXT)
                .put("id", requested)
                .put("type", "Subscriptions")
                .put("lastEventID", lastEventId);
        ArrayNode list = collection.putArray("subscriptions");
        matching.forEach(list::add);
        return JSON.writeValueAsString(collection);
    }

    /** The subscriptions of every live node: this node's now, the others' as they last shared them. */
    private List<JsonNode> all() {
        List<JsonNode> all = new ArrayList<>();
        for (String document : presence.shared(SHARED_NAME)) {
            JsonNode list = JSON.readTree(document);
            list.forEach(all::add);
        }
        return all;
    }

    /** The id of the newest event, or {@code earliest}: where a client of the API resumes its subscription updates. */
    private String lastEventId() {
        LogPage bounds = hub.eventLog().readAfter(Long.MAX_VALUE, 0);
        return bounds.lastId() > 0 ? EventIds.urn(bounds.lastId()) : "earliest";
    }

    /** Trusted and admin callers may see everything; others need a subscribe grant on the requested path. */
    private static void checkGranted(Access access, String path) {
        if (access.isTrusted() || access.admin() || TopicSelector.anyMatches(access.privateTopics(), List.of(path))) {
            return;
        }
        if (!access.isAuthenticated()) {
            throw new AuthenticationRequiredException("the subscriptions API needs a token that grants " + path);
        }
        throw new AccessDeniedException("this token does not grant " + path);
    }

    private void announce(List<ObjectNode> subscriptions, boolean isActive) {
        if (hub.isClosed()) {
            return; // shutting down: the streams end with the hub, and nothing more is published
        }
        for (ObjectNode subscription : subscriptions) {
            ObjectNode update = JSON.createObjectNode().put("@context", CONTEXT);
            update.setAll(subscription);
            update.put("active", isActive);
            String topic = subscription.path("id").asString();
            try {
                hub.publishAsync(Publication.to(topic).data(JSON.writeValueAsString(update)).privateEvent(true).build())
                        .exceptionally(failure -> {
                            log.warn("Could not publish the Mercure subscription update {}: {}", topic, failure.toString());
                            return null;
                        });
            } catch (RuntimeException e) {
                log.warn("Could not publish the Mercure subscription update {}: {}", topic, e.toString());
            }
        }
    }

    /** Shares this node's active subscriptions with the others. */
    private void share() {
        ArrayNode list = JSON.createArrayNode();
        active.values().forEach(subscriptions -> subscriptions.forEach(list::add));
        presence.share(SHARED_NAME, JSON.writeValueAsString(list));
    }

    private ObjectNode document(String topic, String subscriber, String payload) {
        ObjectNode document = JSON.createObjectNode()
                .put("id", apiPath() + "/" + encode(topic) + "/" + encode(subscriber))
                .put("type", "Subscription")
                .put("topic", topic)
                .put("subscriber", subscriber)
                .put("active", true);
        if (payload != null) {
            document.set("payload", JSON.readTree(payload));
        }
        return document;
    }

    /** Escapes a topic or subscriber as one path segment, as Mercure does (a form value's escaping). */
    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static String decode(String segment) {
        try {
            return URLDecoder.decode(segment, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new NotFoundException();
        }
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
    }
}
