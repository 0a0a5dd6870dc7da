package dev.herald.bench.load;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntFunction;

/**
 * Opens subscribers' streams for a {@link Transport}: over HTTP/1.1 a connection each (through TLS
 * for {@code https}); over HTTP/2 a stream on a shared connection, subscriber {@code i} on
 * connection {@code i / streamsPerConnection}. An HTTP/2 connection is made when its first stream
 * needs it, and made again when a stream is reopened (a resume) after it closed. The subscriber's
 * {@link Subscriber.Handler} sees the same events either way.
 *
 * <p>{@link #open} may be called from any thread; connections and streams are set up on the load
 * generator's event loops. One connector per run: {@link #close} closes its HTTP/2 connections.
 */
abstract sealed class Connector implements AutoCloseable {

    final Bootstrap bootstrap;
    /** The source address of subscriber {@code i}'s connection. */
    final IntFunction<InetSocketAddress> localAddress;

    private Connector(Bootstrap bootstrap, IntFunction<InetSocketAddress> localAddress) {
        this.bootstrap = bootstrap;
        this.localAddress = localAddress;
    }

    static Connector of(Transport transport, Bootstrap bootstrap, IntFunction<InetSocketAddress> localAddress) {
        Protocol protocol = transport.protocol();
        SslContext tls = protocol.tls()
                ? ClientTls.context(transport.certificate(), protocol.http2() ? ApplicationProtocolNames.HTTP_2 : ApplicationProtocolNames.HTTP_1_1)
                : null;
        return protocol.http2() ? new Http2(transport, tls, bootstrap, localAddress) : new Http1(tls, bootstrap, localAddress);
    }

    /**
     * Opens subscriber {@code index}'s stream to the URL with this handler, which writes the
     * request once its channel is active. Completes when the stream's channel is open; fails if
     * its connection cannot be made.
     */
    abstract CompletableFuture<Void> open(Subscriber.Handler handler, UrlTemplate url, int index);

    @Override
    public void close() {
    }

    static InetSocketAddress remote(UrlTemplate url) {
        return new InetSocketAddress(url.host(), url.port());
    }

    private static CompletableFuture<Void> completion(io.netty.util.concurrent.Future<?> future) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        future.addListener(f -> {
            if (f.isSuccess()) {
                done.complete(null);
            } else {
                done.completeExceptionally(f.cause());
            }
        });
        return done;
    }

    /** HTTP/1.1: a connection per stream. */
    private static final class Http1 extends Connector {
        private final SslContext tls;

        Http1(SslContext tls, Bootstrap bootstrap, IntFunction<InetSocketAddress> localAddress) {
            super(bootstrap, localAddress);
            this.tls = tls;
        }

        @Override
        CompletableFuture<Void> open(Subscriber.Handler handler, UrlTemplate url, int index) {
            ChannelHandler pipeline = tls == null ? handler : new ChannelInitializer<>() {
                @Override
                protected void initChannel(Channel channel) {
                    channel.pipeline().addLast(tls.newHandler(channel.alloc(), url.host(), url.port()), handler);
                }
            };
            return completion(bootstrap.clone().handler(pipeline).connect(remote(url), localAddress.apply(index)));
        }
    }

    /** HTTP/2: streams multiplexed on shared connections. */
    private static final class Http2 extends Connector {
        private final Transport transport;
        private final SslContext tls;
        /** Each connection by its number, as it is being made or once made. */
        private final Map<Integer, CompletableFuture<Channel>> connections = new ConcurrentHashMap<>();

        Http2(Transport transport, SslContext tls, Bootstrap bootstrap, IntFunction<InetSocketAddress> localAddress) {
            super(bootstrap, localAddress);
            this.transport = transport;
            this.tls = tls;
        }

        @Override
        CompletableFuture<Void> open(Subscriber.Handler handler, UrlTemplate url, int index) {
            CompletableFuture<Channel> connection = connections.compute(index / transport.streamsPerConnection(),
                    (number, existing) -> existing == null || existing.isCompletedExceptionally()
                            || existing.isDone() && !existing.join().isActive() ? connect(url, index) : existing);
            return connection.thenCompose(parent -> completion(new Http2StreamChannelBootstrap(parent).handler(handler).open()));
        }

        /** A connection, complete once HTTP/2 is spoken on it (after ALPN agreed on {@code h2} over TLS). */
        private CompletableFuture<Channel> connect(UrlTemplate url, int index) {
            CompletableFuture<Channel> ready = new CompletableFuture<>();
            Bootstrap connecting = bootstrap.clone().handler(new ChannelInitializer<>() {
                @Override
                protected void initChannel(Channel channel) {
                    if (tls == null) {
                        http2(channel.pipeline(), ready);
                        return;
                    }
                    channel.pipeline().addLast(tls.newHandler(channel.alloc(), url.host(), url.port()),
                            new ApplicationProtocolNegotiationHandler("none") {
                                @Override
                                protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
                                    if (!ApplicationProtocolNames.HTTP_2.equals(protocol)) {
                                        throw new IllegalStateException("the server did not agree to h2 (ALPN: " + protocol + ")");
                                    }
                                    http2(ctx.pipeline(), ready);
                                }
                            });
                }
            });
            connecting.connect(remote(url), localAddress.apply(index)).addListener((ChannelFuture connected) -> {
                if (connected.isSuccess()) {
                    // A failed handshake, or a server that refuses h2, closes the connection.
                    connected.channel().closeFuture().addListener(closed ->
                            ready.completeExceptionally(new ClosedChannelException()));
                } else {
                    ready.completeExceptionally(connected.cause());
                }
            });
            return ready;
        }

        /**
         * The frame codec, announcing the stream window and refusing server push; the multiplexer,
         * which gives each stream a channel of its own and returns flow-control credit as the
         * stream's handler reads its frames; and, once the connection is active (its preface sent),
         * the connection's window raised and the connection ready for streams.
         */
        private void http2(ChannelPipeline pipeline, CompletableFuture<Channel> ready) {
            Http2Settings settings = Http2Settings.defaultSettings().pushEnabled(false).initialWindowSize(transport.http2Window());
            pipeline.addLast(Http2FrameCodecBuilder.forClient().initialSettings(settings).build(),
                    new Http2MultiplexHandler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel pushed) {
                            pushed.close(); // never asked for
                        }
                    }),
                    new ChannelInboundHandlerAdapter() {
                        @Override
                        public void handlerAdded(ChannelHandlerContext ctx) {
                            if (ctx.channel().isActive()) {
                                ready(ctx);
                            }
                        }

                        @Override
                        public void channelActive(ChannelHandlerContext ctx) {
                            ctx.fireChannelActive();
                            ready(ctx);
                        }

                        /** SETTINGS sizes streams only: the connection's window is raised by a WINDOW_UPDATE. */
                        private void ready(ChannelHandlerContext ctx) {
                            int increment = transport.connectionWindow() - Http2CodecUtil.DEFAULT_WINDOW_SIZE;
                            if (increment > 0) {
                                ctx.channel().writeAndFlush(new DefaultHttp2WindowUpdateFrame(increment));
                            }
                            ctx.pipeline().remove(this);
                            ready.complete(ctx.channel());
                        }
                    });
        }

        @Override
        public void close() {
            connections.values().forEach(connection -> connection.thenAccept(Channel::close));
        }
    }
}
