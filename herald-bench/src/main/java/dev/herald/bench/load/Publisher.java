package dev.herald.bench.load;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.HdrHistogram.Histogram;

/**
 * Publishes events over HTTP/1.1 keep-alive connections (over TLS when given a context), in one of
 * two {@link PublishMode}s: pipelined, at a fixed rate or as fast as the target accepts, written by
 * each connection's event loop; or paced, one request per event written and flushed at its due time
 * by a dedicated thread (the {@link PublishSchedule}). Each topic is published on one connection
 * only, so the target receives every topic's events in sequence order; each event's data starts
 * with {@code "<seq> <sentNanos>"} and is padded to the configured size.
 *
 * <p>Threads: the pipelined mode runs on the connections' event loop; the paced mode's thread
 * ({@code bench-paced-publisher}) writes, the event loop reads the responses. Each connection's
 * requests in flight are in a queue both may touch; counters are atomics read after {@link #run}.
 */
final class Publisher {

    /**
     * Requests a paced connection may have unanswered: beyond it an event due is not sent (counted
     * as offered, not accepted), so a server that stops answering cannot make the load generator
     * buffer without end.
     */
    static final int MAX_PACED_OUTSTANDING = 10_000;

    private final Bootstrap bootstrap;
    private final SslContext tls;
    private final UrlTemplate template;
    private final PublishFormat format;
    private final String[] topics;
    private final double rate;
    private final PublishMode mode;
    private final int connections;
    private final int depth;
    private final String padding;
    private final AtomicLongArray accepted;
    private final AtomicLongArray lastAcceptedSeq;
    private final AtomicLong issued = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong unsent = new AtomicLong();
    private final Latencies roundTrips = new Latencies();
    /** How late the paced thread sent each event after its due time, µs: the pacing's own precision. */
    private final Histogram pacingLateness = new Histogram(3);
    private final CountDownLatch started = new CountDownLatch(1);
    private volatile long limit = Long.MAX_VALUE;
    private volatile long offered;
    private volatile long startNanos;
    private volatile long endNanos;
    private CountDownLatch finished;

    /** With {@code tls} null, in clear. */
    Publisher(Bootstrap bootstrap, SslContext tls, UrlTemplate template, PublishFormat format, String[] topics, double rate,
            PublishMode mode, int connections, int depth, int payloadBytes) {
        if (mode == PublishMode.PACED && !(rate > 0)) {
            throw new IllegalArgumentException("paced publishing needs a rate above 0: " + rate);
        }
        this.bootstrap = bootstrap.clone();
        this.tls = tls;
        this.template = template;
        this.format = format;
        this.topics = topics;
        this.rate = rate;
        this.mode = mode;
        this.connections = Math.max(1, Math.min(connections, topics.length));
        this.depth = depth;
        this.padding = "x".repeat(Math.max(0, payloadBytes - 32));
        this.accepted = new AtomicLongArray(topics.length);
        this.lastAcceptedSeq = new AtomicLongArray(topics.length);
    }

    /** Publishes at most this many events in all (the first run's events only); no limit by default. */
    Publisher limit(long events) {
        this.limit = events;
        return this;
    }

    /** Publishes for the duration (or up to the limit), then waits for the outstanding responses. */
    void run(long durationNanos) throws InterruptedException {
        finished = new CountDownLatch(connections);
        List<Channel> channels = new ArrayList<>();
        InetSocketAddress remote = new InetSocketAddress(template.host(), template.port());
        List<Connection> handlers = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            Connection connection = new Connection(i);
            handlers.add(connection);
            channels.add(bootstrap.handler(new ChannelInitializer<>() {
                @Override
                protected void initChannel(Channel channel) {
                    if (tls != null) {
                        channel.pipeline().addLast(tls.newHandler(channel.alloc(), template.host(), template.port()));
                    }
                    channel.pipeline().addLast(new HttpResponseDecoder(), new HttpObjectAggregator(1 << 20), connection);
                }
            }).connect(remote).syncUninterruptibly().channel());
        }
        startNanos = System.nanoTime();
        endNanos = startNanos + durationNanos;
        started.countDown();
        Thread pacer = null;
        if (mode == PublishMode.PACED) {
            pacer = Thread.ofPlatform().name("bench-paced-publisher").start(() -> pace(handlers));
        } else {
            for (int i = 0; i < connections; i++) {
                Connection connection = handlers.get(i);
                channels.get(i).eventLoop().execute(connection::pump);
            }
        }
        if (!finished.await(durationNanos / 1_000_000 + 60_000, TimeUnit.MILLISECONDS)) {
            // A target that fell this far behind has its result: what it answered. Closing the
            // connections counts the requests still unanswered as not accepted.
            System.out.println("  the target had not answered every publish 60 s after the last was sent: the rest count as not accepted");
        }
        if (pacer != null) {
            pacer.join(10_000);
        }
        for (Channel channel : channels) {
            channel.close().syncUninterruptibly();
        }
    }

    /**
     * The paced thread: each event due in the run, at its due time, to its topic's connection; then
     * tells each connection to finish once its responses are in.
     */
    private void pace(List<Connection> handlers) {
        PublishSchedule schedule = new PublishSchedule(rate, topics.length, connections);
        long count = Math.min(schedule.eventsWithin(endNanos - startNanos), limit);
        offered = count;
        for (long event = 0; event < count; event++) {
            long due = startNanos + schedule.dueNanos(event);
            PublishSchedule.waitUntil(due);
            int topic = schedule.topic(event);
            long now = System.nanoTime();
            pacingLateness.recordValue(Math.min((now - due) / 1000, 60_000_000L));
            handlers.get(schedule.connection(topic)).sendNow(topic, now);
        }
        handlers.forEach(Connection::finishWhenAnswered);
    }

    /** Waits until {@link #run} has connected and started the clock; false if it did not in time. */
    boolean awaitStart(long timeoutNanos) throws InterruptedException {
        return started.await(timeoutNanos, TimeUnit.NANOSECONDS);
    }

    long accepted(int topic) {
        return accepted.get(topic);
    }

    /** The sequence number of the topic's last accepted event (0 before any): every one up to it was accepted, in order. */
    long lastAcceptedSeq(int topic) {
        return lastAcceptedSeq.get(topic);
    }

    long acceptedTotal() {
        long total = 0;
        for (int i = 0; i < accepted.length(); i++) {
            total += accepted.get(i);
        }
        return total;
    }

    /**
     * The events the run offered: paced, those its schedule called for; pipelined at a rate, those
     * the rate called for in the run's time (fewer are sent when the target answers too slowly for
     * the pipeline); as fast as accepted, those sent.
     */
    long offered() {
        if (mode == PublishMode.PACED) {
            return offered;
        }
        if (rate > 0) {
            return Math.min(limit, new PublishSchedule(rate, topics.length, connections).eventsWithin(endNanos - startNanos));
        }
        return issued.get();
    }

    /**
     * Events offered per second: at a rate, over the time the schedule ran (the run's duration,
     * however long the last responses took); as fast as accepted, over {@code sendingSeconds}.
     */
    double offeredRate(double sendingSeconds) {
        if (mode == PublishMode.PACED || rate > 0) {
            long scheduled = endNanos - startNanos;
            return scheduled <= 0 ? 0 : offered() / (scheduled / 1e9);
        }
        return sendingSeconds == 0 ? 0 : offered() / sendingSeconds;
    }

    long rejected() {
        return rejected.get();
    }

    /** Paced events not sent: their connection had {@link #MAX_PACED_OUTSTANDING} unanswered, or was closed. */
    long unsent() {
        return unsent.get();
    }

    long startNanos() {
        return startNanos;
    }

    Histogram roundTrips() {
        return roundTrips.merged();
    }

    /** How late the paced thread sent events after their due time, µs (empty when pipelined). */
    Histogram pacingLateness() {
        return pacingLateness;
    }

    /** One keep-alive connection publishing its share of the topics. */
    private final class Connection extends SimpleChannelInboundHandler<FullHttpResponse> {
        private final int index;
        /** Each topic's last sequence number sent: written by the pump (event loop) or the paced thread, never both. */
        private final long[] seqs;
        /** Requests sent and not answered: {topic, sentNanos, seq}. */
        private final Queue<long[]> inFlight = mode == PublishMode.PACED ? new ConcurrentLinkedQueue<>() : new ArrayDeque<>();
        private final AtomicInteger outstanding = new AtomicInteger();
        private ChannelHandlerContext ctx;
        private int nextTopic;
        // Event loop only.
        private boolean stopped;
        private boolean scheduled;
        private boolean done;

        Connection(int index) {
            this.index = index;
            this.seqs = new long[topics.length];
            this.nextTopic = index;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext context) {
            this.ctx = context;
        }

        /** Pipelined: sends what the rate and the pipeline allow, in one flush. On the event loop. */
        void pump() {
            scheduled = false;
            boolean wrote = false;
            while (!stopped && inFlight.size() < depth) {
                long now = System.nanoTime();
                if (now >= endNanos || issued.get() >= limit) {
                    stopped = true;
                    break;
                }
                if (rate > 0) {
                    long allowed = (long) ((now - startNanos) * rate / 1e9) + 1;
                    long already = issued.get();
                    if (already >= allowed) {
                        long dueAt = startNanos + (long) ((already + 1) * 1e9 / rate);
                        scheduled = true;
                        ctx.executor().schedule(this::pump, Math.max(20_000, dueAt - now), TimeUnit.NANOSECONDS);
                        break;
                    }
                }
                issued.incrementAndGet();
                int topic = nextTopic;
                nextTopic += connections;
                if (nextTopic >= topics.length) {
                    nextTopic = index;
                }
                long seq = ++seqs[topic];
                ctx.write(request(topic, seq, now));
                inFlight.add(new long[] {topic, now, seq});
                wrote = true;
            }
            if (wrote) {
                ctx.flush();
            }
            finishIfDone();
        }

        /** Paced: writes and flushes this one event now. On the paced thread. */
        void sendNow(int topic, long now) {
            if (!ctx.channel().isActive() || outstanding.get() >= MAX_PACED_OUTSTANDING) {
                unsent.incrementAndGet();
                return;
            }
            issued.incrementAndGet();
            long seq = ++seqs[topic];
            outstanding.incrementAndGet();
            inFlight.add(new long[] {topic, now, seq}); // before the write: its response cannot come first
            ctx.writeAndFlush(request(topic, seq, now));
        }

        /** Paced: nothing more will be sent; finish once the last response is in. From the paced thread. */
        void finishWhenAnswered() {
            ctx.executor().execute(() -> {
                stopped = true;
                finishIfDone();
            });
        }

        private void finishIfDone() {
            if (stopped && inFlight.isEmpty() && !done) {
                done = true;
                finished.countDown();
            }
        }

        @Override
        protected void channelRead0(ChannelHandlerContext context, FullHttpResponse response) {
            long[] sent = inFlight.poll();
            if (sent == null) {
                return;
            }
            outstanding.decrementAndGet();
            int code = response.status().code();
            if (code >= 200 && code < 300) {
                accepted.incrementAndGet((int) sent[0]);
                lastAcceptedSeq.set((int) sent[0], sent[2]);
            } else {
                rejected.incrementAndGet();
            }
            roundTrips.record((System.nanoTime() - sent[1]) / 1000);
            if (mode == PublishMode.PACED) {
                finishIfDone();
            } else if (!scheduled || stopped) {
                pump();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext context) {
            rejected.addAndGet(inFlight.size());
            inFlight.clear();
            stopped = true;
            finishIfDone();
        }

        private ByteBuf request(int topic, long seq, long now) {
            String data = seq + " " + now + " " + padding;
            byte[] body = format.body(topics[topic], data);
            String head = "POST " + template.path(topics[topic]) + " HTTP/1.1\r\nHost: " + template.authority()
                    + "\r\nContent-Type: " + format.contentType() + "\r\nContent-Length: " + body.length + "\r\n\r\n";
            byte[] headBytes = head.getBytes(StandardCharsets.US_ASCII);
            return Unpooled.wrappedBuffer(headBytes, body);
        }
    }
}
