package dev.herald.server.web;

import dev.herald.netty.Responder;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The management port ({@code management.server.port}): Actuator's endpoints on a port of their
 * own, so that health and metrics need not be reachable where the API is. HTTP/1.1, no TLS, small
 * requests only; each answer is made on a virtual thread, as health checks may ask a database.
 */
public final class ManagementServer implements AutoCloseable {

    private static final int MAX_REQUEST = 16 * 1024;

    private final EventLoopGroup group;
    private final Channel channel;

    private ManagementServer(EventLoopGroup group, Channel channel) {
        this.group = group;
        this.channel = channel;
    }

    /** Binds the address and port (0: a free one) and serves the responder's answers, 404 otherwise. */
    public static ManagementServer start(String host, int port, Responder responder) throws InterruptedException {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            Channel channel = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new ReadTimeoutHandler(60, TimeUnit.SECONDS), new HttpServerCodec(),
                                    new HttpServerKeepAliveHandler(), new HttpObjectAggregator(MAX_REQUEST), new Handler(responder));
                        }
                    })
                    .bind(host, port).sync().channel();
            return new ManagementServer(group, channel);
        } catch (InterruptedException | RuntimeException e) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw e;
        }
    }

    /** The bound port. */
    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {

        private final Responder responder;

        Handler(Responder responder) {
            this.responder = responder;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            FullHttpRequest held = request.retainedDuplicate();
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            Thread.ofVirtual().name("herald-management").start(() -> {
                FullHttpResponse response;
                try {
                    String path = new QueryStringDecoder(held.uri()).path();
                    response = responder.respond(held, path);
                    if (response == null) {
                        response = text(HttpResponseStatus.NOT_FOUND, "Not found");
                    }
                } catch (RuntimeException e) {
                    response = text(HttpResponseStatus.INTERNAL_SERVER_ERROR, "Internal error");
                } finally {
                    held.release();
                }
                HttpUtil.setKeepAlive(response, keepAlive);
                FullHttpResponse answer = response;
                ctx.channel().eventLoop().execute(() -> {
                    if (keepAlive) {
                        ctx.writeAndFlush(answer);
                    } else {
                        ctx.writeAndFlush(answer).addListener(ChannelFutureListener.CLOSE);
                    }
                });
            });
        }

        private static FullHttpResponse text(HttpResponseStatus status, String text) {
            byte[] body = text.getBytes(StandardCharsets.UTF_8);
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8").setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
            return response;
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
