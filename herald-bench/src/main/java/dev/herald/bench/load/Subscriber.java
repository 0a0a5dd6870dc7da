package dev.herald.bench.load;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.CompletableFuture;

/**
 * One SSE subscriber connection: sends its GET, decodes the stream, and checks every event's
 * sequence number (events of a topic must arrive in order, each once) and latency. Runs on its
 * channel's event loop; its counters are read after the run.
 */
final class Subscriber extends ChannelInboundHandlerAdapter implements SseStreamDecoder.Listener {

    private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[64 * 1024]);

    final int topic;
    private final ByteBuf request;
    private final Latencies latencies;
    private final SseStreamDecoder decoder = new SseStreamDecoder(this);
    final CompletableFuture<Integer> status = new CompletableFuture<>();
    /** Set at the start of the measured phase: events sent before it are not timed. */
    volatile long measureFromNanos = Long.MAX_VALUE;

    // Event loop only; read after the run.
    volatile long received;
    volatile long lastSeq;
    volatile long outOfOrder;
    volatile long others;
    volatile boolean closed;

    Subscriber(int topic, ByteBuf request, Latencies latencies) {
        this.topic = topic;
        this.request = request;
        this.latencies = latencies;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.writeAndFlush(request.retainedDuplicate());
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
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    @Override
    public void onStatus(int code) {
        status.complete(code);
    }

    @Override
    public void onEvent(long seq, long sentNanos) {
        long now = System.nanoTime();
        long last = lastSeq;
        if (seq > last) {
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
