package dev.herald.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Tells HTTP/2 with prior knowledge ({@code h2c}: the connection starts with the HTTP/2 preface,
 * as proxies that speak HTTP/2 to their backends do) from HTTP/1.1 on a cleartext port, sets up
 * the pipeline for the one it sees, and steps aside, handing on the bytes it read. A connection
 * that says nothing is closed after the request timeout.
 */
final class ProtocolSniffer extends ByteToMessageDecoder {

    private static final ByteBuf PREFACE = Http2CodecUtil.connectionPrefaceBuf();

    private final Consumer<ChannelHandlerContext> http1;
    private final Consumer<ChannelHandlerContext> http2;
    private final long timeoutNanos;
    private ScheduledFuture<?> silence;

    ProtocolSniffer(Consumer<ChannelHandlerContext> http1, Consumer<ChannelHandlerContext> http2, long timeoutNanos) {
        this.http1 = http1;
        this.http2 = http2;
        this.timeoutNanos = timeoutNanos;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        silence = ctx.executor().schedule(() -> {
            ctx.close();
        }, timeoutNanos, TimeUnit.NANOSECONDS);
        super.channelActive(ctx);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int seen = Math.min(in.readableBytes(), PREFACE.readableBytes());
        boolean prefix = ByteBufUtil.equals(in, in.readerIndex(), PREFACE, PREFACE.readerIndex(), seen);
        if (prefix && seen < PREFACE.readableBytes()) {
            return; // not enough yet to tell
        }
        cancel();
        if (prefix) {
            http2.accept(ctx);
        } else {
            http1.accept(ctx);
        }
        // Removing a decoder hands what it holds to the handlers just added behind it.
        ctx.pipeline().remove(this);
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        cancel();
    }

    private void cancel() {
        if (silence != null) {
            silence.cancel(false);
            silence = null;
        }
    }
}
