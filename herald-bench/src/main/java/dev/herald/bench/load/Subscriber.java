package dev.herald.bench.load;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/**
 * One subscriber: its counters live across reconnections, as a browser's EventSource keeps its
 * Last-Event-ID. Every event's sequence number is checked (a topic's events must arrive in order,
 * each once) and its latency recorded. Each connection has its own {@link Handler}; counters are
 * written on the connection's event loop and read after the run.
 */
final class Subscriber {

    private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[64 * 1024]);

    final int topic;
    private final UrlTemplate url;
    private final String topicName;
    private final Latencies latencies;
    /** The status of the first connection. */
    final CompletableFuture<Integer> status = new CompletableFuture<>();
    /** Set at the start of the measured phase: events sent before it are not timed. */
    volatile long measureFromNanos = Long.MAX_VALUE;

    volatile long received;
    volatile long lastSeq;
    volatile long outOfOrder;
    volatile long others;
    volatile boolean closed;
    volatile long reconnects;
    volatile String lastEventId;
    volatile Channel channel;
    /** True from a forced drop until the next connection is established: one reconnection at a time. */
    final java.util.concurrent.atomic.AtomicBoolean reconnecting = new java.util.concurrent.atomic.AtomicBoolean();

    /** Where this subscriber connects. */
    UrlTemplate url() {
        return url;
    }

    Subscriber(int topic, String topicName, UrlTemplate url, Latencies latencies) {
        this.topic = topic;
        this.topicName = topicName;
        this.url = url;
        this.latencies = latencies;
    }

    /** A handler for a new connection, resuming from the last event id seen, if any. */
    Handler newConnection() {
        StringBuilder request = new StringBuilder("GET ").append(url.path(topicName)).append(" HTTP/1.1\r\nHost: ")
                .append(url.host()).append(':').append(url.port()).append("\r\nAccept: text/event-stream\r\nCache-Control: no-cache\r\n");
        if (lastEventId != null) {
            request.append("Last-Event-ID: ").append(lastEventId).append("\r\n");
        }
        request.append("\r\n");
        return new Handler(Unpooled.wrappedBuffer(request.toString().getBytes(StandardCharsets.US_ASCII)));
    }

    /** One connection's protocol handling. */
    final class Handler extends ChannelInboundHandlerAdapter implements SseStreamDecoder.Listener {
        private final ByteBuf request;
        private final SseStreamDecoder decoder = new SseStreamDecoder(this);
        private Runnable onClose = () -> { };

        Handler(ByteBuf request) {
            this.request = request;
        }

        /** Runs after the connection closed (to reconnect, say). */
        Handler onClose(Runnable action) {
            onClose = action;
            return this;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            channel = ctx.channel();
            ctx.writeAndFlush(request);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            try {
                byte[] scratch = SCRATCH.get();
                while (buf.isReadable()) {
                    int length = Math.min(scratch.length, buf.readableBytes());
                    buf.readBytes(scratch, 0, length);
                    decoder.feed(scratch, 0, length);
                }
            } finally {
                buf.release();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            closed = true;
            status.completeExceptionally(new IllegalStateException("closed before a response"));
            onClose.run();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }

        @Override
        public void onStatus(int code) {
            closed = false;
            status.complete(code);
            reconnecting.set(false);
        }

        @Override
        public void onId(byte[] id, int length) {
            lastEventId = new String(id, 0, length, StandardCharsets.US_ASCII);
        }

        @Override
        public void onEvent(long seq, long sentNanos) {
            long now = System.nanoTime();
            if (seq > lastSeq) {
                lastSeq = seq;
                received++;
            } else {
                outOfOrder++; // a repeat or a late arrival: either breaks the guarantee
            }
            if (sentNanos >= measureFromNanos) {
                latencies.record((now - sentNanos) / 1000);
            }
        }

        @Override
        public void onOtherEvent() {
            others++;
        }
    }
}
