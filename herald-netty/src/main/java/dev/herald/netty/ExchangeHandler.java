package dev.herald.netty;

import dev.herald.core.ConnectionLimitException;
import dev.herald.core.HeraldException;
import dev.herald.http.BadRequestException;
import dev.herald.http.ExpectationFailedException;
import dev.herald.http.Problem;
import dev.herald.http.RequestHeadTooLargeException;
import dev.herald.http.RequestTimeoutException;
import dev.herald.http.RequestTooLargeException;
import dev.herald.http.Subscriptions;
import dev.herald.http.TrustedProxies;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HTTP/1.1 connection's requests, from decoded parts to written answers: it assembles each
 * request (head, then a body bounded as it arrives), refuses what is malformed or too large as
 * soon as it is, hands complete requests to the {@link Router}, and writes their replies in
 * request order, as pipelining requires. That order has one mechanism: a queue of reply futures,
 * written from the head as they complete.
 *
 * <p>A request starts when every earlier one has been answered; the one exception is a publish
 * behind publishes, when authentication runs in place: their appends are issued in request order
 * on this loop, so they may be stored concurrently (group commit) and still be answered in order.
 * Requests that arrive while an earlier one is served wait, and reading pauses until they can
 * start, so a connection holds at most what one read brought.
 *
 * <p>A stream's reply is terminal: it takes over the connection; anything pipelined behind it is
 * discarded. A reply that can no longer be written (the client left) is dropped, and a stream's
 * connection released. One per channel; event loop only, except where a future completes, which
 * hands back to the loop.
 */
final class ExchangeHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(ExchangeHandler.class);
    /**
     * Requests one connection may have started or waiting at once. A client that pipelines more
     * without reading the answers has the ones beyond this dropped unstarted, and its connection
     * closed after the last answer: nothing it sent is half done.
     */
    static final int MAX_PENDING = 1024;

    private final Router router;
    private final ServerLimits limits;
    private final TrustedProxies proxies;
    private final WriterExecutors writers;
    /**
     * Times requests as they arrive, on an HTTP/1.1 connection; {@code null} on an HTTP/2 stream,
     * and once a stream owns the connection (the timer is off its pipeline then).
     */
    private RequestTimer timer;
    /** Whether this handler serves one HTTP/2 stream (one request, no connection headers) rather than an HTTP/1.1 connection. */
    private final boolean stream2;

    // Event loop only.
    /** The request whose head arrived and whose body is still coming, or {@code null}. */
    private Exchange reading;
    /** Its body so far, for a request whose body is kept. */
    private CompositeByteBuf body;
    // Both deques start small: a connection rarely has more than one request at a time (pipelining
    // grows them), and a stream keeps its handler, deques included, for its whole life.
    /** Complete requests that cannot start yet, in order. */
    private final ArrayDeque<Exchange> waiting = new ArrayDeque<>(2);
    /** Started requests not yet answered, in order. */
    private final ArrayDeque<InFlight> inFlight = new ArrayDeque<>(2);
    /** No further request is read: a stream took over, or an answer closes the connection. */
    private boolean ended;
    /** The request being read asked for a 100 that has not been sent yet. */
    private boolean continueOwed;
    private dev.herald.core.Connection stream;

    private record InFlight(Exchange exchange, boolean publish, CompletableFuture<Reply> reply) {
    }

    /** A handler for an HTTP/1.1 connection, timed by the timer before its decoder. */
    ExchangeHandler(Router router, ServerLimits limits, TrustedProxies proxies, WriterExecutors writers, RequestTimer timer) {
        this.router = router;
        this.limits = limits;
        this.proxies = proxies;
        this.writers = writers;
        this.timer = timer;
        this.stream2 = false;
    }

    /** A handler for one HTTP/2 stream (its frames converted to HTTP objects before it). */
    ExchangeHandler(Router router, ServerLimits limits, TrustedProxies proxies, WriterExecutors writers) {
        this.router = router;
        this.limits = limits;
        this.proxies = proxies;
        this.writers = writers;
        this.timer = null;
        this.stream2 = true;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (ended) {
                return; // a stream sends nothing we read; a closing connection reads nothing more
            }
            if (msg instanceof HttpRequest head) {
                onHead(ctx, head);
            }
            if (msg instanceof HttpContent content && reading != null) {
                onContent(ctx, content);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onHead(ChannelHandlerContext ctx, HttpRequest head) {
        if (timer != null) {
            timer.headDecoded();
        }
        Exchange exchange = new Exchange(head, AddressLimiter.address(ctx), proxies, limits.maxQueryParameters());
        HeraldException refusal = headRefusal(ctx, head, exchange);
        if (refusal != null) {
            // Refused before its body: answer now and end the connection, whose remaining bytes
            // (a body we will not read, or garbage after a malformed head) cannot be trusted.
            exchange.refuse(refusal);
            endAfter(ctx, exchange);
            return;
        }
        reading = exchange;
        if (router.takesBody(exchange)) {
            body = ctx.alloc().compositeBuffer();
            // An interim 100 for this request may not go out before the answers to earlier ones:
            // owed until they are written (see pump).
            continueOwed = HttpUtil.is100ContinueExpected(head);
            sendContinueIfDue(ctx);
        }
        if (!(head instanceof LastHttpContent) && timer != null && inFlight.isEmpty() && waiting.isEmpty()) {
            timer.receiving();
        }
    }

    /** Sends the 100 the request being read asked for, once nothing before it awaits an answer. */
    private void sendContinueIfDue(ChannelHandlerContext ctx) {
        if (continueOwed && reading != null && inFlight.isEmpty() && waiting.isEmpty()) {
            continueOwed = false;
            ctx.writeAndFlush(new DefaultFullHttpResponse(reading.head().protocolVersion(), HttpResponseStatus.CONTINUE,
                    Unpooled.EMPTY_BUFFER));
        }
    }

    /** Why a request must be refused from its head alone, or {@code null}. */
    private HeraldException headRefusal(ChannelHandlerContext ctx, HttpRequest head, Exchange exchange) {
        if (head.decoderResult().isFailure()) {
            Throwable cause = head.decoderResult().cause();
            if (cause instanceof TooLongHttpLineException) {
                return new RequestHeadTooLargeException(RequestHeadTooLargeException.Part.URI, limits.maxRequestLineBytes());
            }
            if (cause instanceof TooLongHttpHeaderException || cause instanceof TooLongFrameException) {
                return new RequestHeadTooLargeException(RequestHeadTooLargeException.Part.HEADERS, limits.maxHeaderBytes());
            }
            return new BadRequestException("malformed request: " + cause.getMessage());
        }
        io.netty.channel.Channel connection = stream2 ? ctx.channel().parent() : ctx.channel();
        if (AddressLimiter.overLimit(connection)) {
            return new ConnectionLimitException(ConnectionLimitException.Scope.ADDRESS, limits.maxConnectionsPerAddress(),
                    java.time.Duration.ofSeconds(10));
        }
        // (HTTP/2 names the authority in a pseudo-header, converted to Host when present.)
        if (!stream2 && head.protocolVersion().equals(HttpVersion.HTTP_1_1) && head.headers().getAll(HttpHeaderNames.HOST).size() != 1) {
            return new BadRequestException("an HTTP/1.1 request needs exactly one Host header");
        }
        String expect = head.headers().get(HttpHeaderNames.EXPECT);
        if (expect != null && !expect.equalsIgnoreCase(HttpHeaderValues.CONTINUE.toString())) {
            return new ExpectationFailedException(expect);
        }
        if (router.takesBody(exchange) && HttpUtil.getContentLength(head, -1L) > router.api().maxBodyBytes()) {
            return new RequestTooLargeException(router.api().maxBodyBytes());
        }
        return null;
    }

    private void onContent(ChannelHandlerContext ctx, HttpContent content) {
        Exchange exchange = reading;
        if (content.decoderResult().isFailure()) {
            dropBody();
            reading = null;
            exchange.refuse(new BadRequestException("malformed body framing: " + content.decoderResult().cause().getMessage()));
            endAfter(ctx, exchange);
            return;
        }
        if (body != null) {
            if (body.readableBytes() + content.content().readableBytes() > router.api().maxBodyBytes()) {
                // Refused the moment the limit is crossed, not after reading the rest.
                dropBody();
                reading = null;
                exchange.refuse(new RequestTooLargeException(router.api().maxBodyBytes()));
                endAfter(ctx, exchange);
                return;
            }
            body.addComponent(true, content.content().retain());
        }
        if (content instanceof LastHttpContent) {
            if (body != null) {
                exchange.body(ByteBufUtil.getBytes(body));
                dropBody();
            }
            reading = null;
            continueOwed = false;
            if (timer != null) {
                timer.requestComplete();
            }
            if (inFlight.size() + waiting.size() >= MAX_PENDING) {
                // Beyond what a connection may have pending: not started, and the connection ends
                // after the answers to those before it.
                ended = true;
                pump(ctx);
                return;
            }
            if (!exchange.keepAlive()) {
                ended = true; // the client asked to close after this one: nothing behind it is read
            }
            waiting.add(exchange);
            pump(ctx);
        }
    }

    /** Answers this request after the ones before it, then closes the connection; reads nothing more. */
    private void endAfter(ChannelHandlerContext ctx, Exchange exchange) {
        ended = true;
        waiting.add(exchange);
        pump(ctx);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event == RequestTimer.STALLED || event == RequestTimer.TIMED_OUT && ended) {
            // The client reads nothing of what it asked for, or the answer that ends the
            // connection cannot get out: reset it, dropping what the kernel holds for it.
            abort(ctx);
            return;
        }
        if (event == RequestTimer.TIMED_OUT) {
            // The request still arriving (or, before its head, a placeholder) is answered 408 in
            // its turn, after whatever is ahead of it, and the connection closes.
            Exchange late = reading != null ? reading
                    : new Exchange(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/"), AddressLimiter.address(ctx),
                            proxies, limits.maxQueryParameters());
            dropBody();
            reading = null;
            late.refuse(new RequestTimeoutException(limits.requestTimeout()));
            endAfter(ctx, late);
            return;
        }
        ctx.fireUserEventTriggered(event);
    }

    /** Closes the connection at once with a reset (or, on HTTP/2, resets the stream). */
    private void abort(ChannelHandlerContext ctx) {
        if (ctx.channel().config() instanceof io.netty.channel.socket.SocketChannelConfig socket && ctx.channel().isActive()) {
            try {
                socket.setSoLinger(0);
            } catch (RuntimeException e) {
                // closing already
            }
        }
        ctx.close();
    }

    /**
     * Writes the answers that are ready at the head, starts the requests that may start now, and
     * repeats until neither moves; then sets reading and timing to match. Event loop only.
     */
    private void pump(ChannelHandlerContext ctx) {
        boolean wrote = false;
        boolean progress = true;
        while (progress) {
            progress = false;
            while (!inFlight.isEmpty() && inFlight.peek().reply().isDone()) {
                InFlight done = inFlight.poll();
                wrote |= write(ctx, done.exchange(), done.reply().join());
                progress = true;
            }
            while (!waiting.isEmpty() && mayStart(ctx, waiting.peek())) {
                start(ctx, waiting.poll());
                progress = true;
            }
        }
        if (wrote) {
            ctx.flush();
        }
        if (stream != null) {
            return;
        }
        sendContinueIfDue(ctx);
        boolean writable = ctx.channel().isWritable();
        // Read on only while nothing waits and the client takes our answers: a client that sends
        // requests without reading the answers is held to what its socket buffers hold.
        ctx.channel().config().setAutoRead(waiting.isEmpty() && writable && !ended);
        if (timer == null) {
            return;
        }
        if (!writable) {
            timer.blocked();
        } else if (!inFlight.isEmpty() || !waiting.isEmpty()) {
            timer.busy();
        } else if (reading != null) {
            timer.receiving();
        } else if (!ended) {
            timer.idle();
        }
    }

    private boolean mayStart(ChannelHandlerContext ctx, Exchange next) {
        if (!ctx.channel().isWritable()) {
            return false; // the client is not reading its answers: start nothing more for it
        }
        if (inFlight.isEmpty()) {
            return true;
        }
        if (!router.authenticatesInPlace() || !router.isPublish(next) || next.refusal() != null) {
            return false;
        }
        for (InFlight earlier : inFlight) {
            if (!earlier.publish()) {
                return false;
            }
        }
        return true;
    }

    private void start(ChannelHandlerContext ctx, Exchange exchange) {
        CompletableFuture<Reply> reply = router.serve(exchange);
        inFlight.add(new InFlight(exchange, router.isPublish(exchange), reply));
        if (!reply.isDone()) {
            reply.whenComplete((answer, failure) -> {
                try {
                    ctx.executor().execute(() -> pump(ctx));
                } catch (RejectedExecutionException loopGone) {
                    drop(answer);
                }
            });
        }
    }

    /**
     * Writes one answer (not flushed) and returns whether it wrote anything. A stream takes the
     * connection over; an answer that must end the connection closes it once written.
     */
    private boolean write(ChannelHandlerContext ctx, Exchange exchange, Reply reply) {
        if (!ctx.channel().isActive() || stream != null) {
            drop(reply);
            return false;
        }
        // An answer that ends the connection (a refusal before the body was read) closes it; on
        // HTTP/2 that resets only this stream, whose sender then stops.
        boolean closes = ended && waiting.isEmpty() && inFlight.isEmpty();
        boolean keepAlive = stream2 ? !closes : exchange.keepAlive() && !closes;
        switch (reply) {
            case Reply.Stream start -> {
                startStream(ctx, exchange, start);
                return true;
            }
            case Reply.Prebuilt prebuilt -> {
                FullHttpResponse response = prebuilt.response();
                cors(response, exchange);
                HttpUtil.setKeepAlive(response, keepAlive);
                AccessLog.answered(exchange, response.status().code(), response.content().readableBytes());
                ctx.write(response).addListener(keepAlive ? ChannelFutureListener.CLOSE_ON_FAILURE : ChannelFutureListener.CLOSE);
            }
            case Reply.Full full -> {
                FullHttpResponse response = toResponse(exchange.head().protocolVersion(), full, exchange, keepAlive);
                AccessLog.answered(exchange, full.status(), full.body().length);
                ctx.write(response).addListener(keepAlive ? ChannelFutureListener.CLOSE_ON_FAILURE : ChannelFutureListener.CLOSE);
            }
        }
        if (!keepAlive || stream2) {
            ended = true;
            discardWaiting();
        }
        return true;
    }

    private void startStream(ChannelHandlerContext ctx, Exchange exchange, Reply.Stream start) {
        dev.herald.core.Connection connection = start.connection();
        HttpResponse response = new DefaultHttpResponse(exchange.head().protocolVersion(), HttpResponseStatus.OK);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream")
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE)
                .set("X-Accel-Buffering", "no")
                .set(Subscriptions.LAST_EVENT_ID, connection.resumePoint());
        if (!stream2) {
            // Close-delimited: no chunk framing around every write; the stream ends with the connection.
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        cors(response, exchange);
        stream = connection;
        ended = true;
        discardWaiting();
        if (timer != null) {
            timer.streaming();
        }
        ctx.channel().config().setAutoRead(true); // to see the client leave
        ctx.write(response, ctx.voidPromise()); // flushed with the stream's first bytes
        if (!stream2) {
            shedRequestHandlers(ctx.pipeline());
            timer = null;
        }
        ctx.channel().closeFuture().addListener(closed -> connection.disconnected());
        connection.start(new NettyEventSink(ctx.channel(), writers.of(ctx.channel().eventLoop()), stream2));
        if (start.opened() != null) {
            start.opened().accept(connection, start.request());
        }
    }

    /**
     * Takes the request's codec and timer off a connection a stream now owns: its head is encoded
     * already, the stream's bytes are written as they are (close-delimited), and nothing the
     * client sends is parsed again, so the decoder's buffers and the timer's state would only sit
     * there for the stream's life, on every connection.
     */
    private static void shedRequestHandlers(ChannelPipeline pipeline) {
        if (pipeline.get("http") instanceof HttpServerCodec) {
            pipeline.remove("http");
        }
        if (pipeline.get("timer") instanceof RequestTimer) {
            pipeline.remove("timer");
        }
    }

    private void cors(HttpResponse response, Exchange exchange) {
        if (exchange == null) {
            return;
        }
        for (Map.Entry<String, String> header : router.api().cors().responseHeaders(exchange).entrySet()) {
            response.headers().set(header.getKey(), header.getValue());
        }
    }

    private Reply.Full problem(Exchange exchange, HeraldException refusal) {
        Problem problem = Problem.of(refusal);
        String json = problem.toJson(exchange == null ? null : exchange.path());
        return new Reply.Full(problem.status(), Problem.MEDIA_TYPE, json.getBytes(java.nio.charset.StandardCharsets.UTF_8), problem.headers());
    }

    private FullHttpResponse toResponse(HttpVersion version, Reply.Full full, Exchange exchange, boolean keepAlive) {
        FullHttpResponse response = new DefaultFullHttpResponse(version, HttpResponseStatus.valueOf(full.status()),
                Unpooled.wrappedBuffer(full.body()));
        if (full.contentType() != null) {
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, full.contentType());
        }
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, full.body().length);
        full.headers().forEach(response.headers()::set);
        cors(response, exchange);
        HttpUtil.setKeepAlive(response, keepAlive);
        return response;
    }

    /** Releases what an answer that will never be written holds. */
    private static void drop(Reply reply) {
        switch (reply) {
            case Reply.Stream start -> start.connection().disconnected();
            case Reply.Prebuilt prebuilt -> ReferenceCountUtil.release(prebuilt.response());
            case Reply.Full full -> {
            }
            case null -> {
            }
        }
    }

    private void discardWaiting() {
        waiting.clear();
        dropBody();
        reading = null;
    }

    private void dropBody() {
        if (body != null) {
            body.release();
            body = null;
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (stream != null) {
            if (ctx.channel().isWritable()) {
                stream.writable();
            }
        } else {
            pump(ctx); // answers drained (or piled up): start, read and time accordingly
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        discardWaiting();
        // Answers still coming are dropped as they complete (write() sees the channel closed).
        pump(ctx);
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A reset connection is normal for streams; anything else is worth a line at debug.
        log.debug("Connection error: {}", cause.toString());
        ctx.close();
    }
}
