package dev.herald.core;

import java.util.List;
import java.util.Objects;

/**
 * Who is connected: how many streams select a topic and how many a user has open. On one node
 * {@link #local(Hub)} counts the hub's own connections; a cluster module counts every node's.
 *
 * <p>Thread-safe. Cluster implementations may block briefly on the network and may be a few
 * seconds behind for other nodes' connections.
 */
public interface Presence {

    /** Open streams, on every node, whose selectors select this topic. */
    long subscribers(String topic);

    /** The user's open streams on every node. */
    long connections(String userId);

    /** Whether the user has a stream open on any node. */
    default boolean isConnected(String userId) {
        return connections(userId) > 0;
    }

    /** Nodes and open streams across the cluster. */
    Summary summary();

    /**
     * The summary as last known, without waiting on the network: for metrics, which are read on
     * threads that must not block. A cluster's is at most one presence interval old (this node's
     * own connections are counted as they are now). By default, {@link #summary()}.
     */
    default Summary recentSummary() {
        return summary();
    }

    /**
     * @param nodes       nodes that reported recently, this one included
     * @param connections open streams on those nodes
     */
    record Summary(int nodes, long connections) {
    }

    /** This hub's connections only: right for a single node. */
    static Presence local(Hub hub) {
        Objects.requireNonNull(hub, "hub");
        return new Presence() {
            @Override
            public long subscribers(String topic) {
                return countSelecting(hub.connections(), topic);
            }

            @Override
            public long connections(String userId) {
                return hub.connections().stream().filter(c -> userId.equals(c.userId())).count();
            }

            @Override
            public Summary summary() {
                return new Summary(1, hub.stats().connections());
            }
        };
    }

    /** How many of these connections select the topic. Each distinct selector is parsed and matched once. */
    static long countSelecting(List<ConnectionInfo> connections, String topic) {
        java.util.Map<String, Boolean> matches = new java.util.HashMap<>();
        long count = 0;
        for (ConnectionInfo connection : connections) {
            if (connection.state() == ConnectionInfo.State.CLOSING) {
                continue;
            }
            for (String selector : connection.topics()) {
                if (matches.computeIfAbsent(selector, text -> TopicSelector.parse(text).matches(topic))) {
                    count++;
                    break;
                }
            }
        }
        return count;
    }
}
