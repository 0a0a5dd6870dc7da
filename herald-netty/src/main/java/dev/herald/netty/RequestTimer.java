package dev.herald.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Times an HTTP/1.1 connection between its requests, before HTTP decoding, so it sees bytes before
 * they make a request head:
 * <ul>
 *   <li>a request must arrive whole within {@link ServerLimits#requestTimeout()} of its first byte
 *       (a client dribbling a head or a body holds a connection no longer), and so must a new
 *       connection's first request;</li>
 *   <li>a keep-alive connection may sit idle between requests for {@link ServerLimits#idleTimeout()};</li>
 *   <li>a client that does not read the answers it asked for may leave them unread for the idle
 *       timeout, then its connection is reset.</li>
 * </ul>
 * While the server is answering, and once a stream has taken the connection over, nothing is
 * timed here: streams have their heartbeats and write timeout.
 *
 * <p>The {@link ExchangeHandler} after the decoder says where the connection is. A request that
 * times out while arriving is answered by it, in its turn, with 408 (sent as {@link #TIMED_OUT});
 * an idle connection is closed; a client that stopped reading is reset (sent as {@link #STALLED}).
 * One per channel; event loop only.
 */
final class RequestTimer extends ChannelInboundHandlerAdapter {

    /** The user event that tells the exchange handler a request took too long to arrive. */
    static final Object TIMED_OUT = new Object() {
        @Override
        public String toString() {
            return "request timed out";
        }
    };

    /** The user event that tells the exchange handler the client has not read its answers for too long. */
    static final Object STALLED = new Object() {
        @Override
        public String toString() {
            return "answers not read";
        }
    };

    private enum Phase { IDLE, RECEIVING, BUSY, BLOCKED, STREAMING }

    private final long requestNanos;
    private final long idleNanos;
    private ChannelHandlerContext ctx;
    private Phase phase = Phase.IDLE;
    private long deadline;
    /** Bytes arrived that no decoded request head accounts for yet: part of a next request. */
    private boolean sawBytes;
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
        if (context.channel().isActive()) {
            // Added after the connection opened (once the protocol was known): start timing now.
            arm(Phase.IDLE, System.nanoTime() + requestNanos);
        }
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
            sawBytes = true;
            if (phase == Phase.IDLE) {
                arm(Phase.RECEIVING, System.nanoTime() + requestNanos);
            }
        }
        context.fireChannelRead(msg);
    }

    /** A request head was decoded: the bytes so far belong to a request the exchange handler knows. */
    void headDecoded() {
        sawBytes = false;
    }

    /** A request arrived whole. */
    void requestComplete() {
        sawBytes = false;
    }

    /** A request's head arrived and its body is still coming (nothing is being answered). */
    void receiving() {
        if (phase != Phase.RECEIVING && phase != Phase.STREAMING) {
            arm(Phase.RECEIVING, System.nanoTime() + requestNanos);
        }
    }

    /** Requests are being answered: the server's turn, not timed. */
    void busy() {
        if (phase != Phase.STREAMING) {
            arm(Phase.BUSY, 0);
        }
    }

    /** Answers wait for the client to read them: it has the idle timeout to start reading. */
    void blocked() {
        if (phase != Phase.BLOCKED && phase != Phase.STREAMING) {
            arm(Phase.BLOCKED, System.nanoTime() + idleNanos);
        }
    }

    /**
     * Every request is answered and written: the next must start within the idle timeout, or, if
     * its first bytes are here already, arrive within the request timeout.
     */
    void idle() {
        if (phase == Phase.STREAMING) {
            return;
        }
        if (sawBytes) {
            if (phase != Phase.RECEIVING) {
                arm(Phase.RECEIVING, System.nanoTime() + requestNanos);
            }
        } else {
            arm(Phase.IDLE, System.nanoTime() + idleNanos);
        }
    }

    /** A stream took the connection over: no more timing here. */
    void streaming() {
        arm(Phase.STREAMING, 0);
        if (check != null) {
            check.cancel(false); // not left queued on the event loop until its deadline, once per stream
            check = null;
        }
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
        deadline = 0;
        switch (phase) {
            case RECEIVING -> ctx.fireUserEventTriggered(TIMED_OUT);
            case BLOCKED -> ctx.fireUserEventTriggered(STALLED);
            case IDLE -> ctx.close();
            default -> {
            }
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
