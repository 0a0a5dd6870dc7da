package dev.herald.server.dashboard;

import dev.herald.core.Connection;
import dev.herald.core.ConnectionInfo;
import dev.herald.core.Hub;
import dev.herald.core.HubStats;
import dev.herald.core.Presence;
import dev.herald.core.SseMessage;
import dev.herald.core.SubscribeRequest;
import dev.herald.core.TopicSelector;
import dev.herald.http.Access;
import dev.herald.http.AccessDeniedException;
import dev.herald.http.AuthenticationRequiredException;
import dev.herald.http.HeraldApi;
import dev.herald.http.HttpRequestView;
import dev.herald.netty.HeraldNettyServer;
import dev.herald.netty.StreamRoute;
import dev.herald.server.dashboard.DashboardSnapshot.Latency;
import dev.herald.server.dashboard.DashboardSnapshot.NodeCount;
import dev.herald.server.dashboard.DashboardSnapshot.RecentEvent;
import dev.herald.server.dashboard.DashboardSnapshot.TopicCount;
import dev.herald.spring.boot.ClusterMode;
import dev.herald.spring.boot.HeraldProperties;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * The live dashboard: the page at {@code /dashboard} ({@link DashboardPage}) and its data at
 * {@value #STREAM_PATH}, an SSE stream of Herald's own on which every connection receives a
 * {@code snapshot} message once a second: a {@link DashboardSnapshot} as JSON. The messages are
 * {@linkplain Connection#send sent to each connection}, outside the event log: they have no ids and
 * are never replayed.
 *
 * <p>Access: the stream is authenticated like {@code GET /events} and served only to admins and to
 * callers the API trusts (with no authentication configured, the server listens on loopback only and
 * trusts its local callers); anyone else gets the API's 401 or 403 problem. The page holds no data and
 * is public. {@code herald.dashboard.enabled=false} serves neither.
 *
 * <p>Threads: one scheduler thread, {@code herald-dashboard}, owned by this bean and stopped with it,
 * does all the work once a second: it shares this node's connection count with the cluster
 * ({@link Presence#share}, under {@value #SHARED_NAME}) and reads the rates and the latency timer
 * whether or not anyone watches, and, while someone does, reads the event log, the connections and
 * the other nodes, and sends the snapshot. The event loops only add viewers (and ask the scheduler
 * for a first snapshot).
 */
@Component
@ConditionalOnBooleanProperty(name = "herald.dashboard.enabled", matchIfMissing = true)
public class Dashboard implements DisposableBean {

    /** Where the snapshots stream. */
    public static final String STREAM_PATH = "/dashboard/stream";
    /** The type of the stream's messages. */
    static final String MESSAGE_TYPE = "snapshot";
    /** The name this node's report is shared under with the other nodes. */
    static final String SHARED_NAME = "herald.dashboard";
    /**
     * The topic the viewers' streams select: one of Herald's own, which the API refuses to publish
     * to, so the streams carry nothing but the snapshots.
     */
    static final String TOPIC = HeraldApi.RESERVED_TOPIC_PREFIX + "dashboard";
    /** How many topic selectors the busiest-topics table lists. */
    static final int BUSIEST_TOPICS = 10;
    /** How many of the last events are listed. */
    static final int RECENT_EVENTS = 20;

    private static final Logger log = LoggerFactory.getLogger(Dashboard.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Hub hub;
    private final Presence presence;
    private final String node;
    private final InstantSource clock;
    private final DeliveryLatency latency;
    private final ScheduledExecutorService scheduler =
            Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("herald-dashboard").daemon(true).factory());
    /** Added on event loops; removed by the scheduler once their stream is closed. */
    private final Set<Connection> viewers = ConcurrentHashMap.newKeySet();

    // Owned by the scheduler thread.
    private final RecentEvents recentEvents;
    private HubStats previous;
    private long previousAt;
    private double publishedPerSecond;
    private double deliveredPerSecond;
    private Latency lastLatency;

    @Autowired
    Dashboard(Hub hub, Presence presence, HeraldProperties properties, Environment environment,
            ObjectProvider<MeterRegistry> registry, ObjectProvider<InstantSource> clock) {
        this(hub, presence, nodeName(properties, environment), registry.getIfUnique(), clock.getIfAvailable(InstantSource::system));
        scheduler.scheduleAtFixedRate(this::tick, 1, 1, TimeUnit.SECONDS);
    }

    /** A dashboard whose ticks the caller runs ({@link #tick()}), for tests. */
    Dashboard(Hub hub, Presence presence, String node, MeterRegistry registry, InstantSource clock) {
        this.hub = hub;
        this.presence = presence;
        this.node = node;
        this.clock = clock;
        this.latency = new DeliveryLatency(registry);
        this.recentEvents = new RecentEvents(hub.eventLog(), RECENT_EVENTS);
        this.previous = hub.stats();
        this.previousAt = clock.millis();
    }

    /** Adds the dashboard's stream and page to the server. */
    public void register(HeraldNettyServer.Builder server) {
        server.stream(STREAM_PATH, new StreamRoute() {
            @Override
            public SubscribeRequest subscription(HttpRequestView request, Access access) {
                checkAccess(access);
                return SubscribeRequest.builder().topic(new TopicSelector.Exact(TOPIC)).subscriber(access.subscriber()).build();
            }

            @Override
            public void opened(Connection connection, HttpRequestView request) {
                watch(connection);
            }
        });
        server.responder(new DashboardPage());
    }

    /**
     * Lets admins and trusted callers through.
     *
     * @throws AuthenticationRequiredException without credentials (401)
     * @throws AccessDeniedException           for a token that is not an admin's (403)
     */
    static void checkAccess(Access access) {
        if (access.admin() || access.isTrusted()) {
            return;
        }
        throw access.isAuthenticated()
                ? new AccessDeniedException("the dashboard is for admin tokens only")
                : new AuthenticationRequiredException("the dashboard needs an admin token");
    }

    /** Once a second on the scheduler: rates, this node's report to the cluster, and a snapshot for the viewers. */
    void tick() {
        try {
            HubStats stats = hub.stats();
            long now = clock.millis();
            double seconds = Math.max(now - previousAt, 1) / 1000.0;
            publishedPerSecond = (stats.published() - previous.published()) / seconds;
            deliveredPerSecond = (stats.delivered() - previous.delivered()) / seconds;
            previous = stats;
            previousAt = now;
            lastLatency = latency.read();
            presence.share(SHARED_NAME, JSON.writeValueAsString(new NodeCount(node, stats.connections())));
            viewers.removeIf(viewer -> !viewer.isOpen());
            if (viewers.isEmpty()) {
                return;
            }
            String json = JSON.writeValueAsString(snapshot());
            viewers.removeIf(viewer -> !viewer.send(SseMessage.of(MESSAGE_TYPE, json)));
        } catch (RuntimeException e) {
            // A scheduled task that throws is never run again: log and try next second.
            log.debug("Dashboard snapshot not sent: {}", e.toString());
        }
    }

    /** Sends the viewer a snapshot now and every second until its stream closes. Any thread; never blocks. */
    void watch(Connection viewer) {
        viewers.add(viewer);
        try {
            scheduler.execute(() -> greet(viewer));
        } catch (RejectedExecutionException e) {
            viewer.close(); // the application is stopping
        }
    }

    /** A new viewer's first snapshot, at once rather than at the next tick, with the last tick's rates. */
    private void greet(Connection viewer) {
        try {
            viewer.send(SseMessage.of(MESSAGE_TYPE, JSON.writeValueAsString(snapshot())));
        } catch (RuntimeException e) {
            log.debug("Dashboard snapshot not sent: {}", e.toString());
        }
    }

    /** What the viewers see now; may block on the event log and the cluster's presence. */
    DashboardSnapshot snapshot() {
        HubStats stats = hub.stats();
        List<RecentEvent> events;
        try {
            events = recentEvents.read();
        } catch (RuntimeException e) {
            log.debug("Dashboard could not read the event log: {}", e.toString());
            events = List.of();
        }
        return new DashboardSnapshot(node, clock.millis(), stats.connections(), publishedPerSecond, deliveredPerSecond,
                stats.published(), stats.delivered(), stats.slowDisconnects(), lastLatency,
                busiestTopics(hub.connections(), BUSIEST_TOPICS), nodes(presence.shared(SHARED_NAME)), events);
    }

    /**
     * The selectors the most open streams use (as written, Herald's own left out), busiest first,
     * then by name; at most {@code limit}.
     */
    static List<TopicCount> busiestTopics(List<ConnectionInfo> connections, int limit) {
        Map<String, Long> counts = new HashMap<>();
        for (ConnectionInfo connection : connections) {
            if (connection.state() == ConnectionInfo.State.CLOSING) {
                continue;
            }
            for (String selector : connection.topics()) {
                if (!selector.startsWith(HeraldApi.RESERVED_TOPIC_PREFIX)) {
                    counts.merge(selector, 1L, Long::sum);
                }
            }
        }
        return counts.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .limit(limit)
                .map(entry -> new TopicCount(entry.getKey(), entry.getValue()))
                .toList();
    }

    /** The nodes' shared reports, this node's first; a report that cannot be read is skipped. */
    static List<NodeCount> nodes(List<String> documents) {
        List<NodeCount> nodes = new ArrayList<>();
        for (String document : documents) {
            try {
                NodeCount node = JSON.readValue(document, NodeCount.class);
                if (node.node() != null) {
                    nodes.add(node);
                }
            } catch (JacksonException e) {
                log.debug("Dashboard skipped a node's report it could not read: {}", e.getOriginalMessage());
            }
        }
        return nodes;
    }

    /**
     * This node's id: {@code herald.redis.node}; in a cluster without one, the host name and process
     * id; on a single node, {@code local}.
     */
    static String nodeName(HeraldProperties properties, Environment environment) {
        String configured = properties.getRedis().getNode();
        if (configured != null && !configured.isBlank()) {
            return configured.trim();
        }
        if (ClusterMode.redisUrl(properties, environment) == null) {
            return "local";
        }
        try {
            return InetAddress.getLocalHost().getHostName() + "-" + ProcessHandle.current().pid();
        } catch (UnknownHostException e) {
            return "node-" + ProcessHandle.current().pid();
        }
    }

    @Override
    public void destroy() {
        scheduler.shutdownNow();
        try {
            presence.share(SHARED_NAME, null);
        } catch (RuntimeException e) {
            log.debug("Dashboard report not withdrawn: {}", e.toString());
        }
    }
}
