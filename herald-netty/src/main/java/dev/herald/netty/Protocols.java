package dev.herald.netty;

import dev.herald.http.TrustedProxies;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;

/**
 * Sets up a connection's pipeline for the protocol it speaks: HTTP/1.1 ({@link RequestTimer},
 * Netty's codec with the server's limits, an {@link ExchangeHandler}) or HTTP/2 (Netty's frame
 * codec announcing the server's limits, and a multiplexer that gives each stream a channel of its
 * own, converted to HTTP objects and served by an {@link ExchangeHandler} like one HTTP/1.1
 * exchange). Which one: ALPN decides over TLS, the first bytes on a plain port. Shared by a
 * server's channels; immutable.
 */
final class Protocols {

    private final Router router;
    private final ServerLimits limits;
    private final TrustedProxies proxies;
    private final WriterExecutors writers;
    private final HttpDecoderConfig decoding;

    Protocols(Router router, ServerLimits limits, TrustedProxies proxies, WriterExecutors writers) {
        this.router = router;
        this.limits = limits;
        this.proxies = proxies;
        this.writers = writers;
        this.decoding = new HttpDecoderConfig()
                .setMaxInitialLineLength(limits.maxRequestLineBytes())
                .setMaxHeaderSize(limits.maxHeaderBytes())
                .setMaxChunkSize(16 * 1024);
    }

    /** After the TLS handshake: the protocol ALPN agreed on, HTTP/1.1 when the client offered none. */
    ChannelHandler negotiation() {
        return new ApplicationProtocolNegotiationHandler(ApplicationProtocolNames.HTTP_1_1) {
            @Override
            protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
                if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
                    http2(ctx.pipeline(), ctx.name());
                } else {
                    http1(ctx.pipeline(), ctx.name());
                }
            }
        };
    }

    /** On a plain port: HTTP/2 if the connection starts with its preface, else HTTP/1.1. */
    ChannelHandler sniffer() {
        return new ProtocolSniffer(ctx -> http1(ctx.pipeline(), ctx.name()), ctx -> http2(ctx.pipeline(), ctx.name()),
                limits.requestTimeout().toNanos());
    }

    /** HTTP/1.1 handlers, after the named handler (or at the end when {@code after} is null). */
    void http1(ChannelPipeline pipeline, String after) {
        RequestTimer timer = new RequestTimer(limits);
        ExchangeHandler exchanges = new ExchangeHandler(router, limits, proxies, writers, timer);
        // The exchange handler bounds pipelined requests itself (ExchangeHandler.MAX_PENDING) and
        // ends the connection cleanly after answering what it started; the codec must not cut in first.
        HttpServerCodec codec = new HttpServerCodec(decoding, Integer.MAX_VALUE);
        if (after == null) {
            pipeline.addLast("timer", timer).addLast("http", codec).addLast("herald", exchanges);
        } else {
            pipeline.addAfter(after, "timer", timer).addAfter("timer", "http", codec).addAfter("http", "herald", exchanges);
        }
    }

    /** HTTP/2 handlers after the named handler. */
    void http2(ChannelPipeline pipeline, String after) {
        Http2FrameCodec frames = Http2FrameCodecBuilder.forServer()
                .initialSettings(Http2Settings.defaultSettings()
                        .maxConcurrentStreams(limits.maxConcurrentStreams())
                        .maxHeaderListSize(limits.maxHeaderBytes()))
                .build();
        Http2MultiplexHandler streams = new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
            @Override
            protected void initChannel(Http2StreamChannel stream) {
                stream.pipeline()
                        .addLast("http", new Http2StreamFrameToHttpObjectCodec(true))
                        .addLast("herald", new ExchangeHandler(router, limits, proxies, writers));
            }
        });
        IdleStateHandler idle = new IdleStateHandler(0, 0, limits.idleTimeout().toMillis(), TimeUnit.MILLISECONDS);
        pipeline.addAfter(after, "idle", idle)
                .addAfter("idle", "h2", frames)
                .addAfter("h2", "streams", streams)
                .addAfter("streams", "idle-close", new CloseWhenIdle(frames));
    }

    /**
     * Closes an HTTP/2 connection that has sat idle (nothing read or written) with no stream open
     * for the idle timeout. A connection with open streams is never idle for long: their
     * heartbeats write.
     */
    private static final class CloseWhenIdle extends ChannelInboundHandlerAdapter {
        private final Http2FrameCodec frames;

        CloseWhenIdle(Http2FrameCodec frames) {
            this.frames = frames;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
            if (event instanceof IdleStateEvent && frames.connection().numActiveStreams() == 0) {
                ctx.close();
                return;
            }
            super.userEventTriggered(ctx, event);
        }
    }
}
