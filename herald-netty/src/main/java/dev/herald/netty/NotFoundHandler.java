package dev.herald.netty;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.ReferenceCountUtil;

/** The end of a pipeline: any request nobody handled gets a 404 problem. */
@ChannelHandler.Sharable
final class NotFoundHandler extends ChannelInboundHandlerAdapter {

    static final NotFoundHandler INSTANCE = new NotFoundHandler();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof HttpRequest request) {
                FullHttpResponse response = HeraldHttpHandler.response(404,
                        "{\"type\":\"about:blank\",\"title\":\"Not Found\",\"status\":404}", "application/problem+json");
                boolean keepAlive = HttpUtil.isKeepAlive(request);
                HttpUtil.setKeepAlive(response, keepAlive);
                ctx.writeAndFlush(response).addListener(keepAlive ? ChannelFutureListener.CLOSE_ON_FAILURE : ChannelFutureListener.CLOSE);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }
}
