package dev.herald.bench.load;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.HdrHistogram.Histogram;

/**
 * The load generator: N subscriber streams, over HTTP/1.1 a connection each from many loopback
 * source addresses (so more than 28k are possible), over HTTP/2 many to a connection (a
 * {@link Transport}), a publisher at a fixed rate or as fast as the target accepts, and the
 * measurements: latency percentiles, deliveries per second, lost and repeated deliveries, and the
 * server's CPU time and memory read from {@code /proc}. Every phase is bounded in time.
 */
public final class LoadGenerator implements AutoCloseable {

    /**
     * Connections per loopback source address: well below the 28k ephemeral ports of one address,
     * and half the server's default limit per client address (1,000), so that a reconnection
     * overlapping the close of its previous connection stays within it.
     */
    private static final int PER_SOURCE_ADDRESS = 500;
    /**
     * Each run starts at a fresh block of source addresses: the ports of the previous run's closed
     * connections stay in TIME_WAIT for a minute.
     */
    private static final java.util.concurrent.atomic.AtomicInteger NEXT_BLOCK = new java.util.concurrent.atomic.AtomicInteger();
    private volatile int firstBlock;

    /** How long a connect phase may take in all before the subscribers still waiting count as failed. */
    private static final long CONNECT_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(60);

    /** EventSource's usual reconnection delay when the server names none; Herald sends 3 s too. */
    private static final long RESUME_DELAY_MILLIS = 3000;

    private final EventLoopGroup group;
    private final Bootstrap bootstrap;
    private volatile boolean measuring;
    private final java.util.concurrent.atomic.AtomicLong serverDrops = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong failedReconnects = new java.util.concurrent.atomic.AtomicLong();
    private final Map<String, Integer> failedReconnectCauses = new java.util.concurrent.ConcurrentHashMap<>();
    /**
     * The publisher's own thread: on the subscribers' threads it would wait behind their reads
     * whenever they are busy, and a slow load generator would look like a slow server.
     */
    private final EventLoopGroup publishGroup;
    private final Bootstrap publishBootstrap;

    public LoadGenerator(int threads) {
        // Native epoll where it loads: the JDK's NIO releases a closed socket's descriptor only at its
        // selector's next pass, and a storm of reconnections then runs out of this process's files.
        boolean epoll = Epoll.isAvailable();
        group = new MultiThreadIoEventLoopGroup(threads, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        bootstrap = new Bootstrap().group(group)
                .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000);
        publishGroup = new MultiThreadIoEventLoopGroup(1, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        publishBootstrap = bootstrap.clone(publishGroup);
    }

    /**
     * What to run.
     *
     * @param subscribeUrl  subscriber URL, {@code {topic}} replaced by the topic name
     * @param publishUrl    publish URL, {@code {topic}} replaced where present
     * @param format        how the target wants events published
     * @param subscribers   subscriber connections, spread evenly over the topics
     * @param topics        topics ({@code bench0}, {@code bench1}, ...)
     * @param rate          events per second in all; 0 for as fast as the target accepts; negative
     *                      for no publishing (idle connections)
     * @param duration      how long to publish
     * @param payloadBytes  the size of each event's data
     * @param publishers    publisher connections
     * @param pipeline      requests in flight per publisher connection
     * @param settle        pause after connecting, before measuring
     * @param topicPrefix   topic names are this prefix and a number; a fresh prefix per run keeps
     *                      one run's retained history out of the next
     * @param churn         the share of subscribers dropped and reconnected (with their
     *                      Last-Event-ID, as a browser does) every second while publishing; 0 for none
     * @param otherSubscribeUrls more subscriber URLs (other nodes of a cluster): subscriber
     *                      {@code i} connects to the {@code i}-th URL of all of them, round robin
     * @param transport     how subscribers connect: HTTP/1.1 or HTTP/2, in clear or over TLS
     */
    public record Config(UrlTemplate subscribeUrl, UrlTemplate publishUrl, PublishFormat format, int subscribers, int topics, double rate,
            Duration duration, int payloadBytes, int publishers, int pipeline, Duration settle, String topicPrefix, double churn,
            List<UrlTemplate> otherSubscribeUrls, Transport transport, PublishMode publishMode) {

        /** Published pipelined. */
        public Config(UrlTemplate subscribeUrl, UrlTemplate publishUrl, PublishFormat format, int subscribers, int topics, double rate,
                Duration duration, int payloadBytes, int publishers, int pipeline, Duration settle, String topicPrefix, double churn,
                List<UrlTemplate> otherSubscribeUrls, Transport transport) {
            this(subscribeUrl, publishUrl, format, subscribers, topics, rate, duration, payloadBytes, publishers, pipeline, settle,
                    topicPrefix, churn, otherSubscribeUrls, transport, PublishMode.PIPELINED);
        }

        /** Subscribers on these URLs over HTTP/1.1. */
        public Config(UrlTemplate subscribeUrl, UrlTemplate publishUrl, PublishFormat format, int subscribers, int topics, double rate,
                Duration duration, int payloadBytes, int publishers, int pipeline, Duration settle, String topicPrefix, double churn,
                List<UrlTemplate> otherSubscribeUrls) {
            this(subscribeUrl, publishUrl, format, subscribers, topics, rate, duration, payloadBytes, publishers, pipeline, settle,
                    topicPrefix, churn, otherSubscribeUrls, Transport.HTTP1);
        }

        /** Every subscriber on the one subscribe URL, over HTTP/1.1. */
        public Config(UrlTemplate subscribeUrl, UrlTemplate publishUrl, PublishFormat format, int subscribers, int topics, double rate,
                Duration duration, int payloadBytes, int publishers, int pipeline, Duration settle, String topicPrefix, double churn) {
            this(subscribeUrl, publishUrl, format, subscribers, topics, rate, duration, payloadBytes, publishers, pipeline, settle,
                    topicPrefix, churn, List.of());
        }

        /** This load with subscribers connecting over that transport. */
        public Config with(Transport other) {
            return new Config(subscribeUrl, publishUrl, format, subscribers, topics, rate, duration, payloadBytes, publishers, pipeline,
                    settle, topicPrefix, churn, otherSubscribeUrls, other, publishMode);
        }

        /** This load published in that mode. */
        public Config with(PublishMode mode) {
            return new Config(subscribeUrl, publishUrl, format, subscribers, topics, rate, duration, payloadBytes, publishers, pipeline,
                    settle, topicPrefix, churn, otherSubscribeUrls, transport, mode);
        }

        /** The topic names: the prefix and a number. */
        String[] topicNames() {
            String[] names = new String[topics];
            for (int i = 0; i < names.length; i++) {
                names[i] = topicPrefix + i;
            }
            return names;
        }

        /** The subscribe URL of subscriber {@code index}. */
        UrlTemplate subscribeUrl(int index) {
            int nodes = 1 + otherSubscribeUrls.size();
            int node = index % nodes;
            return node == 0 ? subscribeUrl : otherSubscribeUrls.get(node - 1);
        }
    }

    /**
     * What a run measured. {@code offered} is what the publisher's schedule called for (every event
     * sent, when publishing as fast as accepted), per second of the schedule's run; {@code published}
     * what the target accepted (2xx), per second until the last answer.
     */
    public record Result(
            int subscribers, int connected, int refused, double connectSeconds,
            PublishMode publishMode, long offered, double offeredRate, long published, long rejected, double publishSeconds,
            double publishRate,
            long expectedDeliveries, long deliveries, long lost, long outOfOrder, long disconnected, long reconnects,
            double deliverySeconds, double deliveriesPerSecond,
            Histogram latencyMicros, Histogram publishRoundTripMicros, Histogram pacingLatenessMicros,
            double serverCpuSeconds, double cpuMicrosPerDelivery,
            long rssBeforeBytes, long rssIdleBytes, long rssAfterBytes, double bytesPerConnection) {

        /** The share of the offered events the target accepted: 1 when it accepted every one. */
        public double acceptedShare() {
            return offered == 0 ? 1 : published / (double) offered;
        }
    }

    /** How a connect phase went: its subscribers' first responses, and how long until the last. */
    record Connected(int connected, int refused, Map<String, Integer> failures, double seconds) {
    }

    public Result run(Config config, ServerProbe probe) throws InterruptedException {
        String[] topics = config.topicNames();
        Latencies latencies = new Latencies();
        long rssBefore = probe.rssBytes();
        startRun(config.subscribers());

        // Connect, a bounded number at a time, from many source addresses.
        Connector connector = connector(config.transport());
        List<Subscriber> subscribers = subscribers(config, topics, latencies, null);
        Connected phase = connectAll(connector, subscribers, 256);
        int connected = phase.connected();
        int refused = phase.refused();
        double connectSeconds = phase.seconds();
        Thread.sleep(config.settle().toMillis());
        long rssIdle = probe.rssBytes();
        double bytesPerConnection = connected == 0 ? 0 : (rssIdle - rssBefore) / (double) connected;

        long offered = 0;
        double offeredRate = 0;
        long published = 0;
        long rejected = 0;
        Histogram pacing = new Histogram(3);
        double publishSeconds = 0;
        long expected = 0;
        long deliveries = 0;
        long lost = 0;
        long outOfOrder = 0;
        double deliverySeconds = 0;
        double cpu = 0;
        Histogram roundTrips = new Histogram(3);
        if (config.rate() >= 0) {
            Publisher publisher = publisher(config, topics);
            double cpuStart = probe.cpuSeconds();
            serverDrops.set(0);
            measuring = true;
            long now = System.nanoTime();
            subscribers.forEach(s -> s.measureFromNanos = now);
            Thread churner = config.churn() > 0 ? Thread.ofPlatform().name("bench-churn").start(() -> churn(connector, subscribers,
                    config.churn(), now + config.duration().toNanos())) : null;
            publisher.run(config.duration().toNanos());
            if (churner != null) {
                churner.join();
            }
            publishSeconds = (System.nanoTime() - publisher.startNanos()) / 1e9;
            published = publisher.acceptedTotal();
            offered = publisher.offered();
            offeredRate = publisher.offeredRate(publishSeconds);
            rejected = publisher.rejected();
            pacing = publisher.pacingLateness();
            for (Subscriber subscriber : subscribers) {
                if (connected(subscriber)) {
                    expected += publisher.accepted(subscriber.topic);
                }
            }
            drain(subscribers, expected);
            measuring = false;
            deliverySeconds = (System.nanoTime() - publisher.startNanos()) / 1e9;
            cpu = probe.cpuSeconds() - cpuStart;
            for (Subscriber subscriber : subscribers) {
                deliveries += subscriber.received;
                outOfOrder += subscriber.outOfOrder;
                if (connected(subscriber)) {
                    lost += Math.max(0, publisher.accepted(subscriber.topic) - subscriber.received);
                }
            }
            roundTrips = publisher.roundTrips();
        }
        long disconnected = serverDrops.get();
        long reconnects = subscribers.stream().mapToLong(s -> s.reconnects).sum();
        long rssAfter = probe.rssBytes();
        closeAll(subscribers, connector);
        return new Result(config.subscribers(), connected, refused, connectSeconds,
                config.publishMode(), offered, offeredRate, published, rejected, publishSeconds,
                publishSeconds == 0 ? 0 : published / publishSeconds,
                expected, deliveries, lost, outOfOrder, disconnected, reconnects,
                deliverySeconds, deliverySeconds == 0 ? 0 : deliveries / deliverySeconds,
                latencies.merged(), roundTrips, pacing,
                cpu, deliveries == 0 ? 0 : cpu * 1e6 / deliveries,
                rssBefore, rssIdle, rssAfter, bytesPerConnection);
    }

    /** Takes a fresh block of source addresses for a run of this many subscribers. */
    void startRun(int subscribers) {
        firstBlock = NEXT_BLOCK.getAndAdd(1 + subscribers / PER_SOURCE_ADDRESS);
    }

    /** A connector for subscribers over the transport, from this run's source addresses. */
    Connector connector(Transport transport) {
        return Connector.of(transport, bootstrap, this::localAddress);
    }

    /** The run's subscribers, not yet connected: subscriber {@code i} of topic {@code i mod topics}. */
    static List<Subscriber> subscribers(Config config, String[] topics, Latencies latencies, LatencyTimeline timeline) {
        List<Subscriber> subscribers = new ArrayList<>(config.subscribers());
        for (int i = 0; i < config.subscribers(); i++) {
            int topic = i % topics.length;
            subscribers.add(new Subscriber(topic, topics[topic], config.subscribeUrl(i), latencies, timeline));
        }
        return subscribers;
    }

    /** The run's publisher, on its own event loop, in the run's mode. */
    Publisher publisher(Config config, String[] topics) {
        SslContext publishTls = config.publishUrl().tls()
                ? ClientTls.context(config.transport().certificate(), ApplicationProtocolNames.HTTP_1_1) : null;
        return new Publisher(publishBootstrap, publishTls, config.publishUrl(), config.format(), topics, config.rate(),
                config.publishMode(), config.publishers(), config.pipeline(), config.payloadBytes());
    }

    /**
     * Connects every subscriber, at most {@code window} waiting for their response at a time, as
     * fast as the target answers; returns once each has its first status or failed, or after
     * {@link #CONNECT_TIMEOUT_NANOS} (those still waiting count as failed).
     */
    Connected connectAll(Connector connector, List<Subscriber> subscribers, int window) throws InterruptedException {
        return connectAll(connector, subscribers, window, 0);
    }

    /** As {@link #connectAll(Connector, List, int)}, numbering the subscribers (their source addresses) from {@code firstIndex}. */
    Connected connectAll(Connector connector, List<Subscriber> subscribers, int window, int firstIndex) throws InterruptedException {
        Semaphore pending = new Semaphore(window);
        long start = System.nanoTime();
        long deadline = start + CONNECT_TIMEOUT_NANOS;
        for (int i = 0; i < subscribers.size(); i++) {
            Subscriber subscriber = subscribers.get(i);
            if (!pending.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                subscriber.status.completeExceptionally(new TimeoutException("not connected within the connect phase"));
                continue;
            }
            subscriber.status.whenComplete((status, error) -> pending.release());
            connect(connector, subscriber, firstIndex + i).whenComplete((opened, error) -> {
                if (error != null) {
                    subscriber.status.completeExceptionally(error);
                }
            });
        }
        int connected = 0;
        int refused = 0;
        Map<String, Integer> failures = new java.util.TreeMap<>();
        for (Subscriber subscriber : subscribers) {
            try {
                int status = subscriber.status.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (status == 200) {
                    connected++;
                } else {
                    refused++;
                    failures.merge("HTTP " + status, 1, Integer::sum);
                }
            } catch (Exception e) {
                refused++;
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                failures.merge(cause.getClass().getSimpleName() + ": " + cause.getMessage(), 1, Integer::sum);
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (!failures.isEmpty()) {
            System.out.println("  connection failures: " + failures);
        }
        return new Connected(connected, refused, failures, seconds);
    }

    /** Whether the subscriber's first connection had a 200. */
    static boolean connected(Subscriber subscriber) {
        return subscriber.status.isDone() && !subscriber.status.isCompletedExceptionally() && subscriber.status.join() == 200;
    }

    /** Waits until the subscribers received {@code expected} events in all, or nothing moved for five seconds. */
    static void drain(List<Subscriber> subscribers, long expected) throws InterruptedException {
        long lastProgress = System.nanoTime();
        long lastCount = -1;
        while (true) {
            long count = subscribers.stream().mapToLong(s -> s.received).sum();
            if (count >= expected) {
                break;
            }
            if (count != lastCount) {
                lastCount = count;
                lastProgress = System.nanoTime();
            } else if (System.nanoTime() - lastProgress > 5_000_000_000L) {
                break;
            }
            Thread.sleep(20);
        }
    }

    /** Closes every subscriber's connection, and the connector's. */
    static void closeAll(List<Subscriber> subscribers, Connector connector) {
        close(subscribers);
        connector.close();
    }

    /** Closes every subscriber's connection (HTTP/1.1) or stream (HTTP/2). */
    static void close(List<Subscriber> subscribers) {
        for (Subscriber subscriber : subscribers) {
            Channel channel = subscriber.channel;
            if (channel != null) {
                channel.close();
            }
        }
    }

    /** Sets whether a stream the server ends is resumed (after the reconnection delay) and counted. */
    void measuring(boolean on) {
        measuring = on;
        if (on) {
            serverDrops.set(0);
        }
    }

    /** Streams the server ended while measuring. */
    long serverDrops() {
        return serverDrops.get();
    }

    /**
     * Connects a subscriber. While a run is measuring, a stream the server ends is resumed as a
     * browser's EventSource resumes it: after {@link #RESUME_DELAY_MILLIS}, with the Last-Event-ID.
     */
    CompletableFuture<Void> connect(Connector connector, Subscriber subscriber, int index) {
        Subscriber.Handler handler = subscriber.newConnection();
        handler.onClose(() -> {
            // A connection dropped on purpose (churn, a storm) may report its close after its successor opened.
            if (measuring && handler.current() && subscriber.reconnecting.compareAndSet(false, true)) {
                serverDrops.incrementAndGet();
                group.schedule(() -> connect(connector, subscriber, index), RESUME_DELAY_MILLIS, TimeUnit.MILLISECONDS);
            }
        });
        return connector.open(handler, subscriber.url(), index).whenComplete((opened, error) -> {
            // As EventSource does after a network error (a connection refused or never accepted):
            // try again after the reconnection delay, while the run lasts.
            if (error != null && measuring && handler.current()) {
                failedReconnects.incrementAndGet();
                Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null ? error.getCause() : error;
                failedReconnectCauses.merge(cause.getClass().getSimpleName() + ": " + cause.getMessage(), 1, Integer::sum);
                group.schedule(() -> connect(connector, subscriber, index), RESUME_DELAY_MILLIS, TimeUnit.MILLISECONDS);
            }
        });
    }

    /** Reconnections that failed to connect (and were tried again) while measuring. */
    public long failedReconnects() {
        return failedReconnects.get();
    }

    /** Why reconnections failed to connect, and how often. */
    public Map<String, Integer> failedReconnectCauses() {
        return new java.util.TreeMap<>(failedReconnectCauses);
    }

    private InetSocketAddress localAddress(int index) {
        int block = (firstBlock + index / PER_SOURCE_ADDRESS) % 60_000;
        return new InetSocketAddress("127." + (1 + block / 250 / 250) + "." + (block / 250 % 250) + "." + (2 + block % 250), 0);
    }

    /**
     * Until the deadline, every second drops a share of the subscribers, chosen at random; each
     * reconnects at once with its Last-Event-ID, from the same source address block.
     */
    private void churn(Connector connector, List<Subscriber> subscribers, double share, long deadline) {
        java.util.Random random = new java.util.Random(7);
        while (System.nanoTime() < deadline - 1_000_000_000L) {
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
            int count = (int) Math.ceil(subscribers.size() * share);
            List<Integer> order = new ArrayList<>(java.util.stream.IntStream.range(0, subscribers.size()).boxed().toList());
            java.util.Collections.shuffle(order, random);
            for (int index : order.subList(0, Math.min(count, order.size()))) {
                Subscriber subscriber = subscribers.get(index);
                Channel channel = subscriber.channel;
                if (channel == null || !channel.isActive() || !subscriber.reconnecting.compareAndSet(false, true)) {
                    continue;
                }
                channel.close().addListener(closed -> {
                    subscriber.reconnects++;
                    connect(connector, subscriber, index);
                });
            }
        }
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        publishGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
