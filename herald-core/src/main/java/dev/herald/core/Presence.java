package dev.herald.core;

import java.util.List;
import java.util.Objects;

/**
 * Who is connected: how many streams select a topic and how many a user has open; and small
 * documents each node {@linkplain #share shares} with the others. On one node {@link #local(Hub)}
 * counts the hub's own connections; a cluster module counts every node's.
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

    /**
     * Shares a small document (a few kilobytes of text, JSON say) under a name with the other nodes,
     * replacing what this node shared under that name before; {@code null} withdraws it. Other nodes
     * see it within about one presence interval, and stop seeing it when this node closes its presence
     * or stops reporting (dies). Safe from any thread; never blocks on the network.
     */
    void share(String name, String document);

    /**
     * The documents shared under this name: this node's as it is now (if any), first, then every other
     * live node's as last published. May block briefly on a cluster's network.
     */
    List<String> shared(String name);

    /** This hub's connections only: right for a single node, whose shared documents are its own. */
    static Presence local(Hub hub) {
        Objects.requireNonNull(hub, "hub");
        return new Presence() {
            private final java.util.concurrent.ConcurrentHashMap<String, String> documents =
                    new java.util.concurrent.ConcurrentHashMap<>();

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

            @Override
            public void share(String name, String document) {
                Objects.requireNonNull(name, "name");
                if (document == null) {
                    documents.remove(name);
                } else {
                    documents.put(name, document);
                }
            }

            @Override
            public List<String> shared(String name) {
                String document = documents.get(Objects.requireNonNull(name, "name"));
                return document == null ? List.of() : List.of(document);
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
