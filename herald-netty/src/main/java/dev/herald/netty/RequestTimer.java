package dev.herald.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Times a connection between its requests, before HTTP decoding, so it sees bytes before they make
 * a request head: a request must arrive whole within {@link ServerLimits#requestTimeout()} of its
 * first byte (a client dribbling a head or a body holds a connection no longer), and a keep-alive
 * connection may sit idle for {@link ServerLimits#idleTimeout()}. While the server is answering,
 * and once a stream has taken the connection over, nothing is timed here: streams have their
 * heartbeats and write timeout.
 *
 * <p>The {@link ExchangeHandler} after the decoder says where the connection is. A request that
 * times out while arriving is answered by it, with 408 (sent as {@link #TIMED_OUT}); an idle
 * connection is closed. One per channel; event loop only.
 */
final class RequestTimer extends ChannelInboundHandlerAdapter {

    /** The user event that tells the exchange handler a request took too long to arrive. */
    static final Object TIMED_OUT = new Object() {
        @Override
        public String toString() {
            return "request timed out";
        }
    };

    private enum Phase { IDLE, RECEIVING, BUSY, STREAMING }

    private final long requestNanos;
    private final long idleNanos;
    private ChannelHandlerContext ctx;
    private Phase phase = Phase.IDLE;
    private long deadline;
    /** Bytes arrived since the last request was complete, while the server was busy answering. */
    private boolean bytesWhileBusy;
    private ScheduledFuture<?> check;
    /** When {@link #check} runs. */
    private long checkAt;

    RequestTimer(ServerLimits limits) {
        this.requestNanos = limits.requestTimeout().toNanos();
        this.idleNanos = limits.idleTimeout().toNanos();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext context) {
        ctx = context;
    }

    @Override
    public void channelActive(ChannelHandlerContext context) {
        // A new connection gets the request timeout, not the idle one, to send its first request.
        arm(Phase.IDLE, System.nanoTime() + requestNanos);
        context.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext context, Object msg) {
        if (msg instanceof ByteBuf bytes && bytes.isReadable()) {
            if (phase == Phase.IDLE) {
                arm(Phase.RECEIVING, System.nanoTime() + requestNanos);
            } else if (phase == Phase.BUSY) {
                bytesWhileBusy = true;
            }
        }
        context.fireChannelRead(msg);
    }

    /** A request head was decoded: bytes so far belong to a request the exchange handler knows. */
    void headDecoded() {
        bytesWhileBusy = false;
    }

    /** Requests are being answered: the server's turn, not timed. */
    void busy() {
        if (phase != Phase.STREAMING && phase != Phase.BUSY) {
            bytesWhileBusy = false;
            arm(Phase.BUSY, 0);
        }
    }

    /** A request's head arrived and its body is still coming. */
    void receiving() {
        if (phase == Phase.IDLE || phase == Phase.BUSY) {
            arm(Phase.RECEIVING, System.nanoTime() + requestNanos);
        }
    }

    /** Every request is answered: the next must start within the idle timeout (or finish within the request timeout, if it began). */
    void idle() {
        if (phase == Phase.STREAMING) {
            return;
        }
        if (bytesWhileBusy) {
            bytesWhileBusy = false;
            arm(Phase.RECEIVING, System.nanoTime() + requestNanos);
        } else if (phase != Phase.IDLE && phase != Phase.RECEIVING) {
            arm(Phase.IDLE, System.nanoTime() + idleNanos);
        }
    }

    /** A stream took the connection over: no more timing here. */
    void streaming() {
        arm(Phase.STREAMING, 0);
    }

    private void arm(Phase next, long at) {
        phase = next;
        deadline = at;
        if (at == 0 || ctx == null) {
            return; // a pending check finds no deadline and stops
        }
        if (check != null && checkAt > at) {
            check.cancel(false);
            check = null;
        }
        if (check == null) {
            schedule(at);
        }
    }

    private void schedule(long at) {
        checkAt = at;
        check = ctx.executor().schedule(this::expire, Math.max(0, at - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    private void expire() {
        check = null;
        if (!ctx.channel().isActive() || deadline == 0) {
            return;
        }
        long now = System.nanoTime();
        if (now < deadline) {
            schedule(deadline);
            return;
        }
        if (phase == Phase.RECEIVING) {
            deadline = 0;
            ctx.fireUserEventTriggered(TIMED_OUT);
        } else if (phase == Phase.IDLE) {
            ctx.close();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext context) {
        if (check != null) {
            check.cancel(false);
            check = null;
        }
        context.fireChannelInactive();
    }
}
