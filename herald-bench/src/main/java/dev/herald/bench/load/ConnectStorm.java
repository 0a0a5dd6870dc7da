package dev.herald.bench.load;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The connect storm: N subscribers connect to a fresh server as fast as it accepts them, at most a
 * window of them waiting for their response at a time, from many source addresses (a restart, or a
 * deploy, with every browser coming back at once). Measures the connections per second sustained,
 * the server's CPU per accepted subscribe, and, after a settle, its memory per idle connection, by
 * kind for a JVM ({@link ServerProbe#memory()}).
 *
 * <p>With {@code resume}, every subscriber comes back with a {@code Last-Event-ID}, as browsers do
 * after a restart: first {@link #TAIL} events are published to each topic, with one subscriber per
 * topic recording the id the server streamed for event {@link #RESUME_AFTER}; each storm subscriber
 * then connects with that id, so the server replays the rest of the tail to each (the resume path).
 */
public final class ConnectStorm {

    /** Events published to each topic before a storm with resume: within what every target retains. */
    static final int TAIL = 100;
    /** The event of the tail (its sequence number) whose id the storm's subscribers resume after. */
    static final int RESUME_AFTER = 50;

    private ConnectStorm() {
    }

    /**
     * What to run.
     *
     * @param load     the subscribers (count, topics, URLs, transport), the publisher's URL and
     *                 format for the tail, and the settle before memory is read; its rate is not used
     * @param window   subscribers waiting for their response at a time
     * @param resume   whether each subscriber connects with a {@code Last-Event-ID} of the tail
     */
    public record Config(LoadGenerator.Config load, int window, boolean resume) {
        public Config {
            if (window < 1) {
                throw new IllegalArgumentException("a connect window of at least 1: " + window);
            }
        }
    }

    /**
     * What a storm measured.
     *
     * @param connectSeconds   from the first connect to the last subscriber's response
     * @param cpuSeconds       the server's CPU during those seconds
     * @param replayed         with resume, tail events the subscribers received (the replay); 0 otherwise
     * @param replayExpected   with resume, what they should have received: the tail after the
     *                         resumed event, for each subscriber connected
     * @param replayRepeated   with resume, events received again or out of order
     * @param before           the fresh server's memory, before the storm
     * @param after            its memory with every subscriber connected and idle, after the settle
     */
    public record Result(int subscribers, int connected, int refused, Map<String, Integer> failures, double connectSeconds,
            double cpuSeconds, boolean resume, long replayed, long replayExpected, long replayRepeated,
            MemoryBreakdown before, MemoryBreakdown after) {

        /** Connections accepted per second of the connect phase. */
        public double connectionsPerSecond() {
            return connectSeconds == 0 ? 0 : connected / connectSeconds;
        }

        /** Server CPU µs per accepted subscribe. */
        public double cpuMicrosPerSubscribe() {
            return connected == 0 ? 0 : cpuSeconds * 1e6 / connected;
        }

        /** Server RSS per idle connection, bytes. */
        public double rssPerConnection() {
            return connected == 0 ? 0 : (after.rssBytes() - before.rssBytes()) / (double) connected;
        }
    }

    /** Runs the storm against a fresh server. Bounded: the connect phase by 60 s, the tail and its replay by 60 s each. */
    public static Result run(LoadGenerator load, Config config, ServerProbe probe) throws InterruptedException {
        LoadGenerator.Config shape = config.load();
        String[] topics = shape.topicNames();
        Latencies latencies = new Latencies();
        load.startRun(shape.subscribers() + topics.length);
        Connector connector = load.connector(shape.transport());
        MemoryBreakdown before = probe.memory();
        List<Subscriber> subscribers = LoadGenerator.subscribers(shape, topics, latencies, null);
        if (config.resume()) {
            String[] ids = publishTail(load, shape, topics, connector, latencies);
            subscribers.forEach(subscriber -> subscriber.resumeFrom(ids[subscriber.topic], RESUME_AFTER));
        }

        double cpuStart = probe.cpuSeconds();
        LoadGenerator.Connected phase = load.connectAll(connector, subscribers, config.window());
        double cpu = probe.cpuSeconds() - cpuStart;

        long replayExpected = 0;
        if (config.resume()) {
            replayExpected = (long) phase.connected() * (TAIL - RESUME_AFTER);
            LoadGenerator.drain(subscribers, replayExpected);
        }
        Thread.sleep(shape.settle().toMillis());
        MemoryBreakdown after = probe.memory();
        long replayed = subscribers.stream().mapToLong(s -> s.received).sum();
        long repeated = subscribers.stream().mapToLong(s -> s.outOfOrder).sum();
        LoadGenerator.close(subscribers);
        connector.close();
        return new Result(shape.subscribers(), phase.connected(), phase.refused(), phase.failures(), phase.seconds(), cpu,
                config.resume(), replayed, replayExpected, repeated, before, after);
    }

    /**
     * Publishes the tail to every topic, watched by one subscriber per topic, and returns, by topic,
     * the id the server streamed with event {@link #RESUME_AFTER}.
     */
    private static String[] publishTail(LoadGenerator load, LoadGenerator.Config shape, String[] topics, Connector connector,
            Latencies latencies) throws InterruptedException {
        List<Subscriber> recorders = new ArrayList<>();
        for (int topic = 0; topic < topics.length; topic++) {
            Subscriber recorder = new Subscriber(topic, topics[topic], shape.subscribeUrl(), latencies);
            recorder.recordIdOfSeq = RESUME_AFTER;
            recorders.add(recorder);
        }
        // Numbered after the storm's subscribers: their own source addresses (and HTTP/2 connection).
        LoadGenerator.Connected phase = load.connectAll(connector, recorders, topics.length, shape.subscribers());
        if (phase.connected() < topics.length) {
            throw new IllegalStateException("the tail's recorders did not all connect: " + phase.failures());
        }
        LoadGenerator.Config tail = new LoadGenerator.Config(shape.subscribeUrl(), shape.publishUrl(), shape.format(), 0, topics.length,
                0, Duration.ofSeconds(60), shape.payloadBytes(), 1, 64, Duration.ZERO, shape.topicPrefix(), 0, List.of(),
                shape.transport(), PublishMode.PIPELINED);
        Publisher publisher = load.publisher(tail, topics).limit((long) TAIL * topics.length);
        publisher.run(TimeUnit.SECONDS.toNanos(60));
        if (publisher.acceptedTotal() < (long) TAIL * topics.length) {
            throw new IllegalStateException("the target accepted " + publisher.acceptedTotal() + " of the tail's "
                    + (long) TAIL * topics.length + " events");
        }
        LoadGenerator.drain(recorders, (long) TAIL * topics.length);
        String[] ids = new String[topics.length];
        for (Subscriber recorder : recorders) {
            if (recorder.recordedId == null) {
                throw new IllegalStateException("no id streamed with event " + RESUME_AFTER + " of " + topics[recorder.topic]
                        + " (received " + recorder.received + ")");
            }
            ids[recorder.topic] = recorder.recordedId;
        }
        LoadGenerator.close(recorders);
        return ids;
    }
}
