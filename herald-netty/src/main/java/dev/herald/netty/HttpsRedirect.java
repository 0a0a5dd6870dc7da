package dev.herald.netty;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

/**
 * The plain-HTTP port of a TLS server: every request is answered with a permanent redirect
 * ({@code 308}, which keeps the method and body) to the same path and query over HTTPS, on the
 * server's TLS port. One per channel; event loop only.
 */
final class HttpsRedirect extends SimpleChannelInboundHandler<HttpRequest> {

    private final int httpsPort;

    HttpsRedirect(int httpsPort) {
        this.httpsPort = httpsPort;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpRequest request) {
        String host = request.headers().get(HttpHeaderNames.HOST);
        FullHttpResponse response;
        if (host == null || host.isEmpty() || !request.uri().startsWith("/")) {
            response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.BAD_REQUEST, Unpooled.EMPTY_BUFFER);
        } else {
            response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.PERMANENT_REDIRECT, Unpooled.EMPTY_BUFFER);
            response.headers().set(HttpHeaderNames.LOCATION, "https://" + hostName(host) + (httpsPort == 443 ? "" : ":" + httpsPort)
                    + request.uri());
        }
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0).set(HttpHeaderNames.CONNECTION, "close");
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }

    /** The host without its port ({@code [::1]:8080} to {@code [::1]}). */
    private static String hostName(String host) {
        int colon = host.lastIndexOf(':');
        return colon > host.lastIndexOf(']') ? host.substring(0, colon) : host;
    }
}
