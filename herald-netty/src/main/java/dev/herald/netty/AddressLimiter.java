package dev.herald.netty;

import dev.herald.http.TrustedProxies;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts the server's TCP connections per client address and marks those past
 * {@link ServerLimits#maxConnectionsPerAddress()}: the {@link ExchangeHandler} answers a marked
 * connection's first request with 429 and closes it. Trusted proxies carry many clients and are
 * not counted. One per server, shared by its channels; thread-safe.
 */
@ChannelHandler.Sharable
final class AddressLimiter extends ChannelInboundHandlerAdapter {

    /** Set on a channel that is over the limit for its address. */
    private static final AttributeKey<Boolean> OVER_LIMIT = AttributeKey.valueOf("herald.overAddressLimit");
    private static final AttributeKey<String> COUNTED = AttributeKey.valueOf("herald.countedAddress");

    private final int limit;
    private final TrustedProxies proxies;
    private final ConcurrentHashMap<String, Integer> counts = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicInteger open = new java.util.concurrent.atomic.AtomicInteger();

    AddressLimiter(int limit, TrustedProxies proxies) {
        this.limit = limit;
        this.proxies = proxies;
    }

    /**
     * Whether the connection opened beyond its address's limit. Asks with {@code hasAttr} first:
     * {@code attr} alone would add an attribute to every connection it asks about.
     */
    static boolean overLimit(io.netty.channel.Channel connection) {
        return connection.hasAttr(OVER_LIMIT) && Boolean.TRUE.equals(connection.attr(OVER_LIMIT).get());
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        open.incrementAndGet();
        String address = address(ctx);
        if (address != null && !proxies.trusts(address)) {
            int now = counts.merge(address, 1, Integer::sum);
            ctx.channel().attr(COUNTED).set(address);
            if (now > limit) {
                ctx.channel().attr(OVER_LIMIT).set(Boolean.TRUE);
            }
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        open.decrementAndGet();
        String address = ctx.channel().attr(COUNTED).getAndSet(null);
        if (address != null) {
            counts.computeIfPresent(address, (key, count) -> count <= 1 ? null : count - 1);
        }
        ctx.fireChannelInactive();
    }

    /** The peer's IP address as text, or {@code null} if it has none (a local channel in tests). */
    static String address(ChannelHandlerContext ctx) {
        return ctx.channel().remoteAddress() instanceof InetSocketAddress inet && inet.getAddress() != null
                ? inet.getAddress().getHostAddress() : null;
    }

    /** The server's open TCP connections. */
    int open() {
        return open.get();
    }
}
