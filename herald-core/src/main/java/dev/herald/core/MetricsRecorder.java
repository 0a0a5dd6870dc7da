package dev.herald.core;

import java.util.Map;

/**
 * Where Herald reports the measurements a counter cannot hold (latencies, and samples of the open
 * connections taken every few seconds) for a metrics library to record. Core depends on none:
 * counters are in {@link Hub#stats()}, and Herald's Spring Boot starter implements this interface
 * with Micrometer. Given to {@link Hub.Builder#recorder} and to logs that commit (herald-jdbc's
 * {@code JdbcEventLog.Builder#recorder}); by default nothing is recorded, and the hub does not
 * take the samples at all.
 *
 * <p>Threading: called from Herald's own threads, concurrently: connection writers (a transport's
 * event loop, or a virtual thread), the hub's timer, and the threads that complete appends.
 * Implementations must return quickly, must never block and should never throw.
 */
public interface MetricsRecorder {

    /** The recorder that records nothing. */
    MetricsRecorder NONE = new MetricsRecorder() {
    };

    /** How many live deliveries of a connection make one {@link #deliveryLatency} sample. */
    int DELIVERY_SAMPLE = 64;

    /** The greatest number of connections whose queue depth one sample reports. */
    int MAX_QUEUE_SAMPLES = 10_000;

    /** How many selectors {@link #subscriptions} names; the rest are summed. */
    int TOP_SELECTORS = 10;

    /**
     * From the time the log gave an event ({@link Event#time()}) to the moment a connection's writer
     * wrote it. Sampled to keep fan-out cheap: each connection's first live event, then every
     * {@value #DELIVERY_SAMPLE}th; replayed events are left out (their time is history). Called by
     * the connection's writer. Across a cluster the time includes the clock difference between
     * the publishing node and this one; a negative difference is reported as zero.
     */
    default void deliveryLatency(long nanos) {
    }

    /**
     * How many frames wait in one open connection's queue. Every few seconds, on the hub's timer,
     * once for each open connection, or for an even sample of {@value #MAX_QUEUE_SAMPLES} of them
     * when there are more.
     */
    default void queueDepth(int frames) {
    }

    /**
     * The open subscriptions by selector (a connection with three selectors holds three), every
     * few seconds, on the hub's timer: the {@value #TOP_SELECTORS} selectors that most connections
     * use, with how many use each (most used first), and how many subscriptions all the other
     * selectors hold together. The map is the recorder's to keep.
     */
    default void subscriptions(Map<String, Integer> top, int others) {
    }

    /**
     * For logs that commit appends (herald-jdbc): how long one successful append waited for its
     * commit, from the log accepting it to the commit being done. Called once per append, by the
     * publisher's thread or the log's committer.
     */
    default void commitLatency(long nanos) {
    }
}
