package dev.herald.server.dashboard;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * What the dashboard's stream sends once a second, as JSON: this node's counters and rates, the
 * busiest topic selectors, the cluster's nodes and the last events, by their metadata only.
 *
 * @param node               this node's id: {@code herald.redis.node}, or {@code local} on a single node
 * @param time               when the snapshot was taken, in milliseconds since the epoch
 * @param connections        streams open on this node now (the dashboard's own included)
 * @param publishedPerSecond events published through this node per second, over the last interval
 * @param deliveredPerSecond events written to this node's streams per second, over the last interval
 * @param published          events published through this node since it started
 * @param delivered          events written to this node's streams since it started
 * @param slowDisconnects    streams this node closed because their client did not keep up, since it started
 * @param latency            delivery latency percentiles, or {@code null} (left out) when the meter
 *                           registry has no {@code herald.delivery.latency} timer
 * @param topics             the selectors the most open streams on this node use, busiest first
 * @param nodes              every live node of the cluster with its open streams (just this one on a single node)
 * @param events             the last events in the event log, newest first: never their data
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record DashboardSnapshot(String node, long time, int connections, double publishedPerSecond, double deliveredPerSecond,
        long published, long delivered, long slowDisconnects, Latency latency, List<TopicCount> topics, List<NodeCount> nodes,
        List<RecentEvent> events) {

    /**
     * Percentiles of the time from an event's storing to its delivery, in milliseconds; each is
     * {@code null} (left out) when the timer cannot tell it, as when nothing was delivered lately.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Latency(Double p50, Double p90, Double p99) {
    }

    /** How many open streams use a topic selector (as written). */
    record TopicCount(String selector, long connections) {
    }

    /** A node and its open streams, as it last shared them. */
    record NodeCount(String node, long connections) {
    }

    /**
     * An event as the dashboard shows it: never its data, only how big the data is.
     *
     * @param id     its position in the log
     * @param topics the topics it was published to
     * @param type   its SSE type
     * @param bytes  the size of its data in UTF-8
     * @param time   when the log accepted it, in milliseconds since the epoch
     */
    record RecentEvent(long id, List<String> topics, String type, long bytes, long time) {
    }
}
