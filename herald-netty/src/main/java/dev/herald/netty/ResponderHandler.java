package dev.herald.netty;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;

/** Runs a {@link Responder}; requests it declines pass on whole (with their content). One per channel. */
final class ResponderHandler extends ChannelInboundHandlerAdapter {

    private final Responder responder;
    /** Whether the current request's content belongs to the next handler. */
    private boolean passing;

    ResponderHandler(Responder responder) {
        this.responder = responder;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest request) {
            FullHttpResponse response = responder.respond(request, new QueryStringDecoder(request.uri()).path());
            if (response == null) {
                passing = !(msg instanceof LastHttpContent);
                ctx.fireChannelRead(msg);
                return;
            }
            passing = false;
            ReferenceCountUtil.release(msg);
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            HttpUtil.setKeepAlive(response, keepAlive);
            ctx.writeAndFlush(response).addListener(keepAlive ? ChannelFutureListener.CLOSE_ON_FAILURE : ChannelFutureListener.CLOSE);
            return;
        }
        if (msg instanceof HttpContent && !passing) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof LastHttpContent) {
            passing = false;
        }
        ctx.fireChannelRead(msg);
    }
}
