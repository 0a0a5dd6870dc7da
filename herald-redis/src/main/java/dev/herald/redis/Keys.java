package dev.herald.redis;

/**
 * The Redis keys of one Herald cluster. All share the hash tag {@code {namespace}}, so on a Redis
 * Cluster they live in one slot, as the scripts that touch several of them require.
 */
record Keys(String namespace) {

    Keys {
        if (namespace == null || namespace.isEmpty() || namespace.contains("{") || namespace.contains("}")) {
            throw new IllegalArgumentException("a namespace is a non-empty name without braces, got " + namespace);
        }
    }

    /** What every key starts with. */
    String prefix() {
        return "{" + namespace + "}:";
    }

    private String key(String name) {
        return prefix() + name;
    }

    /** The stream of events. */
    String events() {
        return key("events");
    }

    /** The newest stream id trimmed from the stream by retention. */
    String horizon() {
        return key("horizon");
    }

    /** Publisher keys, each holding the stream id of the event first published with it. */
    String publisherKeyPrefix() {
        return key("key:");
    }

    /** Delivery cursors: a hash from cursor key to position. */
    String cursors() {
        return key("cursors");
    }

    /** Live nodes: a sorted set of node ids scored by when their presence expires. */
    String nodes() {
        return key("nodes");
    }

    /** Each live node's open streams: a hash from node id to count. */
    String totals() {
        return key("totals");
    }

    /** A node's exact topic selectors: a hash from selector to connection count. */
    String topics(String node) {
        return key("topics:" + node);
    }

    /** A node's pattern selectors ({@code *}, templates): a hash from selector to connection count. */
    String patterns(String node) {
        return key("patterns:" + node);
    }

    /** A node's users: a hash from user id to connection count. */
    String users(String node) {
        return key("users:" + node);
    }

    /** The documents a node shares ({@code Presence.share}): a hash from name to document. */
    String documents(String node) {
        return key("docs:" + node);
    }
}
