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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.HdrHistogram.Histogram;

/**
 * Publishes events over HTTP/1.1 keep-alive connections (over TLS when given a context) with
 * pipelining, at a fixed rate or as fast as the target accepts. Each topic is published on one connection only, so the target receives
 * every topic's events in sequence order; each event's data starts with
 * {@code "<seq> <sentNanos>"} and is padded to the configured size.
 */
final class Publisher {

    private final Bootstrap bootstrap;
    private final SslContext tls;
    private final UrlTemplate template;
    private final PublishFormat format;
    private final String[] topics;
    private final double rate;
    private final int connections;
    private final int depth;
    private final String padding;
    private final AtomicLongArray accepted;
    private final AtomicLong issued = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final Latencies roundTrips = new Latencies();
    private long startNanos;
    private long endNanos;
    private CountDownLatch finished;

    /** With {@code tls} null, in clear. */
    Publisher(Bootstrap bootstrap, SslContext tls, UrlTemplate template, PublishFormat format, String[] topics, double rate,
            int connections, int depth, int payloadBytes) {
        this.bootstrap = bootstrap.clone();
        this.tls = tls;
        this.template = template;
        this.format = format;
        this.topics = topics;
        this.rate = rate;
        this.connections = Math.max(1, Math.min(connections, topics.length));
        this.depth = depth;
        this.padding = "x".repeat(Math.max(0, payloadBytes - 32));
        this.accepted = new AtomicLongArray(topics.length);
    }

    /** Publishes for the duration, then waits for the outstanding responses. */
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
        for (int i = 0; i < connections; i++) {
            Connection connection = handlers.get(i);
            channels.get(i).eventLoop().execute(connection::pump);
        }
        if (!finished.await(durationNanos / 1_000_000 + 60_000, TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("publishers did not finish");
        }
        for (Channel channel : channels) {
            channel.close().syncUninterruptibly();
        }
    }

    long accepted(int topic) {
        return accepted.get(topic);
    }

    long acceptedTotal() {
        long total = 0;
        for (int i = 0; i < accepted.length(); i++) {
            total += accepted.get(i);
        }
        return total;
    }

    long rejected() {
        return rejected.get();
    }

    long startNanos() {
        return startNanos;
    }

    Histogram roundTrips() {
        return roundTrips.merged();
    }

    /** One keep-alive connection publishing its share of the topics. */
    private final class Connection extends SimpleChannelInboundHandler<FullHttpResponse> {
        private final int index;
        private final long[] seqs;
        private final ArrayDeque<long[]> inFlight = new ArrayDeque<>();
        private ChannelHandlerContext ctx;
        private int nextTopic;
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

        void pump() {
            scheduled = false;
            boolean wrote = false;
            while (!stopped && inFlight.size() < depth) {
                long now = System.nanoTime();
                if (now >= endNanos) {
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
                inFlight.add(new long[] {topic, now});
                wrote = true;
            }
            if (wrote) {
                ctx.flush();
            }
            finishIfDone();
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
            int code = response.status().code();
            if (code >= 200 && code < 300) {
                accepted.incrementAndGet((int) sent[0]);
            } else {
                rejected.incrementAndGet();
            }
            roundTrips.record((System.nanoTime() - sent[1]) / 1000);
            if (!scheduled || stopped) {
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
