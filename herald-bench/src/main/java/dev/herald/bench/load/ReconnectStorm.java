package dev.herald.bench.load;

import io.netty.channel.Channel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * The reconnect storm: N subscribers connected and receiving while events are published (paced, by
 * default) at the run's rate; after a while every subscriber drops its connection and reconnects at
 * once with its {@code Last-Event-ID}, the drops spread uniformly over a window
 * ({@link StormSchedule}), while publishing goes on. Measures how long until every subscriber has
 * resumed (its 200, and every event accepted before it reconnected), lost and repeated events over
 * the whole run (each subscriber's sequence accounting, across its connections), the server's CPU
 * per reconnect, and latency before and after the storm.
 *
 * <p>Threads: the publisher's; the storm's own ({@code bench-storm}), which drops the subscribers on
 * schedule and watches them resume; the load generator's event loops, which reconnect them.
 */
public final class ReconnectStorm {

    /** A subscriber's latency is read in slices of this length, to tell before the storm from after it. */
    private static final long SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
    /** How long after the window the storm waits for the last subscriber to resume. */
    private static final long RESUME_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(60);

    private ReconnectStorm() {
    }

    /**
     * What to run.
     *
     * @param load          the subscribers, topics, rate, publish mode and duration (of publishing:
     *                      it must hold the storm and a while after it)
     * @param connectWindow subscribers waiting for their first response at a time, while connecting
     * @param stormAfter    how long after publishing starts the first subscriber drops
     * @param stormWindow   the time over which the drops are spread
     */
    public record Config(LoadGenerator.Config load, int connectWindow, Duration stormAfter, Duration stormWindow) {
        public Config {
            if (load.rate() <= 0) {
                throw new IllegalArgumentException("a reconnect storm publishes at a rate: " + load.rate());
            }
            if (stormAfter.plus(stormWindow).plusSeconds(1).compareTo(load.duration()) > 0) {
                throw new IllegalArgumentException("publishing (" + load.duration() + ") must last past the storm's end ("
                        + stormAfter.plus(stormWindow) + ") by a second at least");
            }
        }
    }

    /**
     * What a storm measured.
     *
     * @param stormed          subscribers dropped by the storm (those connected at their turn)
     * @param resumed          of those, the ones that resumed: a 200, then every event accepted
     *                         before they reconnected
     * @param recoverySeconds  from the first drop until the last of them resumed; NaN if one did not
     * @param resumeMicros     each subscriber's time from its drop to its resume
     * @param lost             events accepted and never received, over the whole run
     * @param repeated         events received twice or out of order, over the whole run
     * @param serverDrops      streams the server ended (resumed after 3 s)
     * @param stormCpuSeconds  the server's CPU from the first drop until the last resume (or the
     *                         watch's end)
     * @param stormSeconds     that time
     * @param steadyCpuPerSecond the server's CPU per second just before the storm: the publishing's
     * @param latencyBefore    latency of events sent before the storm
     * @param latencyAfter     latency of events sent after every subscriber resumed (after the
     *                         window, if one did not)
     * @param latency          latency of every event
     */
    public record Result(int subscribers, int connected, int refused, double connectSeconds,
            PublishMode publishMode, long offered, double offeredRate, long published, long rejected, double publishSeconds,
            int stormed, int resumed, double recoverySeconds, Histogram resumeMicros,
            long expected, long deliveries, long lost, long repeated, long serverDrops,
            double stormCpuSeconds, double stormSeconds, double steadyCpuPerSecond,
            Histogram latencyBefore, Histogram latencyAfter, Histogram latency, Histogram pacingLatenessMicros) {

        /** Server CPU µs per reconnect over the storm, publishing's share included. */
        public double cpuMicrosPerReconnect() {
            return stormed == 0 ? 0 : stormCpuSeconds * 1e6 / stormed;
        }

        /** Server CPU µs per reconnect above what publishing took per second just before the storm. */
        public double cpuMicrosPerReconnectAboveSteady() {
            return stormed == 0 ? 0 : (stormCpuSeconds - steadyCpuPerSecond * stormSeconds) * 1e6 / stormed;
        }

        /** Events accepted per second, until the last answer. */
        public double publishRate() {
            return publishSeconds == 0 ? 0 : published / publishSeconds;
        }

        /** The share of the offered events the target accepted. */
        public double acceptedShare() {
            return offered == 0 ? 1 : published / (double) offered;
        }
    }

    /** Runs the storm. Bounded: connecting by 60 s, publishing by its duration, the resume watch by 60 s after the window. */
    public static Result run(LoadGenerator load, Config config, ServerProbe probe) throws InterruptedException {
        LoadGenerator.Config shape = config.load();
        String[] topics = shape.topicNames();
        Latencies latencies = new Latencies();
        long durationNanos = shape.duration().toNanos();
        long origin = System.nanoTime();
        long span = TimeUnit.SECONDS.toNanos(60) + shape.settle().toNanos() + durationNanos + TimeUnit.SECONDS.toNanos(30);
        LatencyTimeline timeline = new LatencyTimeline(origin, SLICE_NANOS, (int) (span / SLICE_NANOS) + 1);
        load.startRun(shape.subscribers());
        Connector connector = load.connector(shape.transport());
        List<Subscriber> subscribers = LoadGenerator.subscribers(shape, topics, latencies, timeline);
        LoadGenerator.Connected phase = load.connectAll(connector, subscribers, config.connectWindow());
        Thread.sleep(shape.settle().toMillis());

        Publisher publisher = load.publisher(shape, topics);
        load.measuring(true);
        long measureFrom = System.nanoTime();
        subscribers.forEach(s -> s.measureFromNanos = measureFrom);
        Storm storm = new Storm(load, connector, subscribers, publisher, probe, config);
        Thread stormThread = Thread.ofPlatform().name("bench-storm").start(storm);
        publisher.run(durationNanos);
        stormThread.join(TimeUnit.NANOSECONDS.toMillis(config.stormAfter().toNanos() + config.stormWindow().toNanos()
                + RESUME_TIMEOUT_NANOS) + 10_000);
        if (stormThread.isAlive()) {
            stormThread.interrupt();
            stormThread.join(5_000);
        }
        long publishEnd = System.nanoTime();
        double publishSeconds = (publishEnd - publisher.startNanos()) / 1e9;

        long expected = 0;
        for (Subscriber subscriber : subscribers) {
            if (LoadGenerator.connected(subscriber)) {
                expected += publisher.accepted(subscriber.topic);
            }
        }
        LoadGenerator.drain(subscribers, expected);
        load.measuring(false);
        long deliveries = 0;
        long lost = 0;
        long repeated = 0;
        for (Subscriber subscriber : subscribers) {
            deliveries += subscriber.received;
            repeated += subscriber.outOfOrder;
            if (LoadGenerator.connected(subscriber)) {
                lost += Math.max(0, publisher.accepted(subscriber.topic) - subscriber.received);
            }
        }
        long serverDrops = load.serverDrops();
        if (load.failedReconnects() > 0) {
            System.out.println("  reconnections that failed to connect (not accepted within the 10 s connect timeout, or refused) and were"
                    + " tried again after 3 s: " + load.failedReconnects() + " " + load.failedReconnectCauses());
        }
        LoadGenerator.closeAll(subscribers, connector);

        long stormStart = publisher.startNanos() + config.stormAfter().toNanos();
        long windowEnd = stormStart + config.stormWindow().toNanos();
        long afterFrom = storm.recoveredAt > 0 ? storm.recoveredAt : windowEnd;
        return new Result(shape.subscribers(), phase.connected(), phase.refused(), phase.seconds(),
                shape.publishMode(), publisher.offered(), publisher.offeredRate(publishSeconds), publisher.acceptedTotal(),
                publisher.rejected(), publishSeconds,
                storm.stormed.size(), storm.resumed, storm.recoveredAt > 0 ? (storm.recoveredAt - storm.firstDrop) / 1e9 : Double.NaN,
                storm.resumeMicros, expected, deliveries, lost, repeated, serverDrops,
                storm.cpuSeconds, storm.seconds, storm.steadyCpuPerSecond,
                timeline.between(publisher.startNanos(), stormStart), timeline.between(afterFrom, publishEnd), latencies.merged(),
                publisher.pacingLateness());
    }

    /** The storm's thread: the steady CPU, the drops on schedule, the watch for the resumes. Its fields are read after join. */
    private static final class Storm implements Runnable {
        private final LoadGenerator load;
        private final Connector connector;
        private final List<Subscriber> subscribers;
        private final Publisher publisher;
        private final ServerProbe probe;
        private final Config config;
        final List<Subscriber> stormed = new ArrayList<>();
        final Histogram resumeMicros = new Histogram(3);
        long firstDrop;
        long recoveredAt;
        int resumed;
        double steadyCpuPerSecond;
        double cpuSeconds;
        double seconds;

        Storm(LoadGenerator load, Connector connector, List<Subscriber> subscribers, Publisher publisher, ServerProbe probe,
                Config config) {
            this.load = load;
            this.connector = connector;
            this.subscribers = subscribers;
            this.publisher = publisher;
            this.probe = probe;
            this.config = config;
        }

        @Override
        public void run() {
            try {
                if (!publisher.awaitStart(TimeUnit.SECONDS.toNanos(60))) {
                    return;
                }
                long start = publisher.startNanos();
                long stormStart = start + config.stormAfter().toNanos();
                // The steady state: the last second (or window, if longer) before the storm, once publishing has begun.
                long steadyStart = Math.max(start + config.stormAfter().toNanos() / 4,
                        stormStart - Math.max(TimeUnit.SECONDS.toNanos(1), config.stormWindow().toNanos()));
                PublishSchedule.waitUntil(steadyStart);
                double cpuBefore = probe.cpuSeconds();
                long steadyFrom = System.nanoTime();
                PublishSchedule.waitUntil(stormStart);
                double cpuAtStorm = probe.cpuSeconds();
                long stormFrom = System.nanoTime();
                steadyCpuPerSecond = (cpuAtStorm - cpuBefore) / Math.max(1e-9, (stormFrom - steadyFrom) / 1e9);

                StormSchedule schedule = StormSchedule.uniform(subscribers.size(), config.stormWindow(), 7);
                for (int k = 0; k < schedule.size(); k++) {
                    PublishSchedule.waitUntil(stormStart + schedule.offsetNanos(k));
                    drop(schedule.subscriber(k));
                }
                long deadline = stormStart + config.stormWindow().toNanos() + RESUME_TIMEOUT_NANOS;
                while (System.nanoTime() < deadline && !allResumed()) {
                    Thread.sleep(5);
                }
                cpuSeconds = probe.cpuSeconds() - cpuAtStorm;
                seconds = (System.nanoTime() - stormFrom) / 1e9;
                long last = 0;
                for (Subscriber subscriber : stormed) {
                    long at = subscriber.resumedNanos;
                    if (at != 0) {
                        resumed++;
                        last = Math.max(last, at);
                        resumeMicros.recordValue(Math.max(0, (at - subscriber.disconnectedNanos) / 1000));
                    }
                }
                recoveredAt = resumed == stormed.size() && !stormed.isEmpty() ? last : 0;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /**
         * Drops subscriber {@code index}'s connection if it is open; once closed, it reconnects at
         * once with its Last-Event-ID, watched until it has every event accepted before.
         */
        private void drop(int index) {
            Subscriber subscriber = subscribers.get(index);
            Channel channel = subscriber.channel;
            if (!LoadGenerator.connected(subscriber) || channel == null || !channel.isActive()
                    || !subscriber.reconnecting.compareAndSet(false, true)) {
                return;
            }
            long now = System.nanoTime();
            if (stormed.isEmpty()) {
                firstDrop = now;
            }
            stormed.add(subscriber);
            channel.close().addListener(closed -> {
                subscriber.watchResume(publisher.lastAcceptedSeq(subscriber.topic), now);
                subscriber.reconnects++;
                load.connect(connector, subscriber, index);
            });
        }

        private boolean allResumed() {
            for (Subscriber subscriber : stormed) {
                if (subscriber.resumedNanos == 0) {
                    return false;
                }
            }
            return true;
        }
    }
}
