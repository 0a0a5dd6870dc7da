/**
 * A cluster of Herald nodes on one Redis: {@link dev.herald.redis.HeraldRedis} gives each node the
 * shared event log (a Redis stream), the bus that wakes it when any node publishes, shared
 * delivery cursors and cluster-wide presence. See {@code docs/CLUSTER.md}.
 */
package dev.herald.redis;
