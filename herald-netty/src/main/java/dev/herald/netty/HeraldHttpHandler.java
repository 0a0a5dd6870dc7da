package dev.herald.netty;

import dev.herald.core.Connection;
import dev.herald.core.HeraldException;
import dev.herald.core.Hub;
import dev.herald.core.Presence;
import dev.herald.core.Publication;
import dev.herald.core.SubscribeRequest;
import dev.herald.http.HeraldAuthenticator;
import dev.herald.http.PresenceRequests;
import dev.herald.http.Problem;
import dev.herald.http.PublishRequests;
import dev.herald.http.RequestTooLargeException;
import dev.herald.http.Subscriptions;
import dev.herald.http.UnsupportedContentTypeException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Herald's HTTP API on Netty: {@code GET path} streams events, {@code POST path} publishes, and the
 * application's own {@link StreamRoute}s stream too. Requests for anything else pass to the next
 * handler untouched, so this handler can sit in any Netty HTTP pipeline (after an
 * {@code HttpServerCodec}). One instance per channel.
 *
 * <p>Threading: everything runs on the channel's event loop. Publishing never blocks it: the hub's
 * {@code publishAsync} completes at once with the in-memory log, or later from the log's own
 * thread; pipelined publishes are answered in request order. A stream, once started, is written by the
 * hub (see {@link NettyEventSink}); a client that leaves is seen at once (the channel closes) and
 * released.
 */
public final class HeraldHttpHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(HeraldHttpHandler.class);
    /** Where subscribes that may block (reading a user's delivery cursor) run: a virtual thread each. */
    private static final java.util.concurrent.Executor OPENERS = task -> Thread.ofVirtual().name("herald-netty-open").start(task);

    private final Hub hub;
    private final HeraldAuthenticator authenticator;
    private final String path;
    private final Map<String, StreamRoute> routes;
    private final Map<String, StreamRoute> prefixRoutes;
    private final int maxBodyBytes;
    private final PublishRequests publishRequests;
    private final CorsPolicy cors;
    private final WriterExecutors writers;
    /** Answers presence queries at {@link #presencePath}; {@code null} for none. */
    private final Presence presence;
    private final String presencePath;

    // Event loop only.
    private boolean passingThrough;
    private Connection stream;
    private NettyRequestView publishing;
    private CompositeByteBuf body;
    private boolean bodyTooLarge;
    /** Responses to publishes, in request order; written as the ones at the head complete. */
    private final ArrayDeque<CompletableFuture<FullHttpResponse>> answers = new ArrayDeque<>();
    /** Messages that arrived behind pending publish answers and are not publishes, or behind work set aside; in order. */
    private final ArrayDeque<Object> held = new ArrayDeque<>();
    /** A request is being served off the event loop (a subscribe that may block, a presence query): all else waits. */
    private boolean aside;

    HeraldHttpHandler(Hub hub, HeraldAuthenticator authenticator, String path, Map<String, StreamRoute> routes,
            Map<String, StreamRoute> prefixRoutes, int maxBodyBytes, PublishRequests publishRequests,
            CorsPolicy cors, WriterExecutors writers, Presence presence, String presencePath) {
        this.hub = hub;
        this.presence = presence;
        this.presencePath = presencePath;
        this.writers = writers;
        this.authenticator = authenticator;
        this.path = path;
        this.routes = routes;
        this.prefixRoutes = prefixRoutes;
        this.maxBodyBytes = maxBodyBytes;
        this.publishRequests = publishRequests;
        this.cors = cors;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (aside || !held.isEmpty() || msg instanceof HttpRequest request && !answers.isEmpty() && !isPublish(request)) {
            // A request pipelined behind publishes still being stored, or behind a request served
            // off the loop: its response must not overtake theirs, so it waits (and reading
            // pauses) until they are answered. Reading stops, but what one read already decoded
            // still arrives here.
            held.add(msg);
            ctx.channel().config().setAutoRead(false);
            return;
        }
        handle(ctx, msg);
    }

    private boolean isPublish(HttpRequest request) {
        return HttpMethod.POST.equals(request.method()) && new NettyRequestView(request).path().equals(path);
    }

    /** Hands on the held messages once the answers they wait for are written. Event loop only. */
    private void releaseHeld(ChannelHandlerContext ctx) {
        while (!held.isEmpty()) {
            if (aside) {
                return; // a released request is being served off the loop
            }
            if (held.peek() instanceof HttpRequest request && !answers.isEmpty() && !isPublish(request)) {
                return; // publishes released before it are still being stored
            }
            handle(ctx, held.poll());
        }
        ctx.channel().config().setAutoRead(true);
    }

    private void handle(ChannelHandlerContext ctx, Object msg) {
        if (stream != null) {
            ReferenceCountUtil.release(msg); // a streaming connection sends nothing we read
            return;
        }
        if (msg instanceof HttpRequest request) {
            onRequest(ctx, request);
            if (passingThrough) {
                // Forwarded whole; a request that carries its content (a FullHttpRequest) ends here.
                if (msg instanceof LastHttpContent) {
                    passingThrough = false;
                }
                return;
            }
            if (msg instanceof HttpContent content) {
                onContent(ctx, content);
            }
            return;
        }
        if (msg instanceof HttpContent content) {
            onContent(ctx, content);
            return;
        }
        ctx.fireChannelRead(msg);
    }

    private void onRequest(ChannelHandlerContext ctx, HttpRequest request) {
        if (request.decoderResult().isFailure()) {
            passingThrough = false;
            respond(ctx, request, 400, "{\"type\":\"urn:herald:problem:bad-request\",\"title\":\"Bad request\",\"status\":400}",
                    "application/problem+json", false);
            return;
        }
        NettyRequestView view = new NettyRequestView(request);
        StreamRoute route = route(view.path());
        boolean api = view.path().equals(path);
        boolean presenceQuery = presence != null && view.path().equals(presencePath);
        if (!api && route == null && !presenceQuery) {
            passingThrough = true;
            ctx.fireChannelRead(request);
            return;
        }
        passingThrough = false;
        String origin = request.headers().get(HttpHeaderNames.ORIGIN);
        if (origin != null && !sameOrigin(request, origin) && (cors == null || !cors.allows(origin))) {
            respond(ctx, request, 403, "{\"type\":\"urn:herald:problem:origin-not-allowed\",\"title\":\"Origin not allowed\","
                    + "\"status\":403,\"detail\":\"add the origin to herald.cors.allowed-origins\"}", "application/problem+json",
                    HttpUtil.isKeepAlive(request));
            return;
        }
        if (request.method().equals(HttpMethod.OPTIONS) && origin != null) {
            FullHttpResponse preflight = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            allowOrigin(preflight, origin);
            preflight.headers()
                    .set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, api ? "GET, POST, OPTIONS" : "GET, OPTIONS")
                    .set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS,
                            request.headers().get(HttpHeaderNames.ACCESS_CONTROL_REQUEST_HEADERS, "Content-Type, Last-Event-ID"))
                    .set(HttpHeaderNames.ACCESS_CONTROL_MAX_AGE, cors == null ? 0 : cors.maxAge().toSeconds())
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            HttpUtil.setKeepAlive(preflight, keepAlive);
            ctx.writeAndFlush(preflight).addListener(keepAlive ? ChannelFutureListener.CLOSE_ON_FAILURE : ChannelFutureListener.CLOSE);
            return;
        }
        if (presenceQuery) {
            if (!request.method().equals(HttpMethod.GET)) {
                respond(ctx, request, 405, "{\"type\":\"urn:herald:problem:method-not-allowed\",\"title\":\"Method not allowed\","
                        + "\"status\":405,\"detail\":\"use GET to ask for presence\"}", "application/problem+json",
                        HttpUtil.isKeepAlive(request));
                return;
            }
            answerPresence(ctx, request, view);
            return;
        }
        if (api && request.method().equals(HttpMethod.POST)) {
            publishing = view;
            long declared = HttpUtil.getContentLength(request, -1L);
            bodyTooLarge = declared > maxBodyBytes;
            body = ctx.alloc().compositeBuffer();
            return;
        }
        if (!request.method().equals(HttpMethod.GET)) {
            respond(ctx, request, 405, "{\"type\":\"urn:herald:problem:method-not-allowed\",\"title\":\"Method not allowed\","
                    + "\"status\":405,\"detail\":\"use GET to subscribe" + (api ? " or POST to publish" : "") + "\"}",
                    "application/problem+json", HttpUtil.isKeepAlive(request));
            return;
        }
        try {
            SubscribeRequest subscription = api
                    ? Subscriptions.read(view, authenticator.authenticateSubscriber(view))
                    : route.subscription(view);
            if (subscription.sinceLastDelivered() && subscription.lastEventId() == null || hub.eventLog().readsBlock()) {
                openAside(ctx, request, view, subscription, api ? null : route);
                return;
            }
            startStream(ctx, view, hub.open(subscription), api ? null : route);
        } catch (HeraldException e) {
            problem(ctx, request, e);
        }
    }

    /**
     * Opens a stream that starts from its user's delivery cursor, or on a log that reads over the
     * network: either may wait on a database or Redis, so it happens aside, and the stream starts
     * back on the event loop.
     */
    private void openAside(ChannelHandlerContext ctx, HttpRequest request, NettyRequestView view, SubscribeRequest subscription,
            StreamRoute route) {
        aside(ctx, request, () -> hub.open(subscription), connection -> startStream(ctx, view, connection, route),
                Connection::disconnected);
    }

    /** Answers a presence query. A cluster's presence asks Redis, so the query runs aside. */
    private void answerPresence(ChannelHandlerContext ctx, HttpRequest request, NettyRequestView view) {
        try {
            authenticator.authorizePresence(view);
        } catch (HeraldException e) {
            problem(ctx, request, e);
            return;
        }
        aside(ctx, request, () -> PresenceRequests.answer(presence, view), json -> {
            FullHttpResponse response = response(200, json, "application/json");
            response.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
            allowOrigin(response, request.headers().get(HttpHeaderNames.ORIGIN));
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            HttpUtil.setKeepAlive(response, keepAlive);
            ctx.writeAndFlush(response).addListener(keepAlive ? ChannelFutureListener.CLOSE_ON_FAILURE : ChannelFutureListener.CLOSE);
        }, json -> {
            // The channel's loop is gone: nobody to answer.
        });
    }

    /**
     * Serves a request that may block off the event loop, on a virtual thread, and hands its
     * result back to the loop. Until then the connection reads nothing and holds whatever was
     * already read behind it, so answers keep request order. A refusal becomes a problem answer.
     *
     * @param orphaned what to do with a result whose event loop is gone
     */
    private <T> void aside(ChannelHandlerContext ctx, HttpRequest request, java.util.function.Supplier<T> work,
            java.util.function.Consumer<T> done, java.util.function.Consumer<T> orphaned) {
        aside = true;
        ctx.channel().config().setAutoRead(false);
        CompletableFuture.supplyAsync(work, OPENERS).whenComplete((result, failure) -> {
            try {
                ctx.executor().execute(() -> {
                    aside = false;
                    Throwable cause = unwrap(failure);
                    if (failure == null) {
                        done.accept(result);
                    } else if (cause instanceof HeraldException refused) {
                        problem(ctx, request, refused);
                    } else {
                        exceptionCaught(ctx, cause);
                    }
                    releaseHeld(ctx);
                });
            } catch (java.util.concurrent.RejectedExecutionException stopping) {
                if (result != null) {
                    orphaned.accept(result);
                }
            }
        });
    }

    /** The exception a {@link CompletableFuture} stage wrapped, or the exception itself. */
    private static Throwable unwrap(Throwable failure) {
        return failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
    }

    private StreamRoute route(String requestPath) {
        StreamRoute exact = routes.get(requestPath);
        if (exact != null) {
            return exact;
        }
        for (Map.Entry<String, StreamRoute> prefix : prefixRoutes.entrySet()) {
            if (requestPath.startsWith(prefix.getKey()) && requestPath.length() > prefix.getKey().length()) {
                return prefix.getValue();
            }
        }
        return null;
    }

    private void onContent(ChannelHandlerContext ctx, HttpContent content) {
        if (passingThrough) {
            ctx.fireChannelRead(content);
            if (content instanceof LastHttpContent) {
                passingThrough = false;
            }
            return;
        }
        try {
            if (publishing != null) {
                if (!bodyTooLarge) {
                    if (body.readableBytes() + content.content().readableBytes() > maxBodyBytes) {
                        bodyTooLarge = true;
                    } else {
                        body.addComponent(true, content.content().retain());
                    }
                }
                if (content instanceof LastHttpContent) {
                    byte[] bytes = bodyTooLarge ? null : ByteBufUtil.getBytes(body);
                    body.release();
                    body = null;
                    NettyRequestView request = publishing;
                    publishing = null;
                    answer(ctx, request, publish(request, bytes, bodyTooLarge));
                }
            }
        } finally {
            content.release();
        }
    }

    private void startStream(ChannelHandlerContext ctx, NettyRequestView view, Connection connection, StreamRoute route) {
        HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream")
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE)
                .set("X-Accel-Buffering", "no")
                .set(Subscriptions.LAST_EVENT_ID, connection.resumePoint())
                // Close-delimited: no chunk framing around every write; the stream ends with the connection.
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        allowOrigin(response, view.header("Origin"));
        stream = connection;
        ctx.write(response, ctx.voidPromise()); // flushed with the stream's first bytes
        ctx.channel().closeFuture().addListener(closed -> connection.disconnected());
        connection.start(new NettyEventSink(ctx.channel(), writers.of(ctx.channel().eventLoop())));
        if (route != null) {
            route.opened(connection, view);
        }
    }

    /**
     * Publishes without blocking the event loop: the in-memory log answers at once; a log that waits
     * for a database completes the future later, on its own thread.
     */
    private CompletableFuture<FullHttpResponse> publish(NettyRequestView view, byte[] body, boolean tooLarge) {
        try {
            if (!PublishRequests.isJson(view.header("Content-Type"))) {
                throw new UnsupportedContentTypeException(view.header("Content-Type"));
            }
            if (tooLarge) {
                throw new RequestTooLargeException(maxBodyBytes);
            }
            Publication publication = publishRequests.read(body);
            authenticator.authorizePublish(view, publication);
            return hub.publishAsync(publication).handle((event, failure) -> {
                if (failure == null) {
                    return response(201, PublishRequests.created(event.id()), "application/json");
                }
                Throwable cause = unwrap(failure);
                if (cause instanceof HeraldException herald) {
                    return problemResponse(view, herald);
                }
                log.error("Publish failed", cause);
                return response(500, "{\"type\":\"about:blank\",\"title\":\"Internal error\",\"status\":500}", "application/problem+json");
            });
        } catch (HeraldException e) {
            return CompletableFuture.completedFuture(problemResponse(view, e));
        }
    }

    /** Queues a publish's response; responses leave in request order, as pipelining requires. */
    private void answer(ChannelHandlerContext ctx, NettyRequestView request, CompletableFuture<FullHttpResponse> response) {
        boolean keepAlive = HttpUtil.isKeepAlive(request.request());
        String origin = request.header("Origin");
        CompletableFuture<FullHttpResponse> prepared = response.thenApply(r -> {
            allowOrigin(r, origin);
            HttpUtil.setKeepAlive(r, keepAlive);
            return r;
        });
        answers.add(prepared);
        if (prepared.isDone()) {
            writeAnswers(ctx);
        } else {
            prepared.whenComplete((r, e) -> ctx.executor().execute(() -> writeAnswers(ctx)));
        }
    }

    /** Writes the completed responses at the head of the queue. Event loop only. */
    private void writeAnswers(ChannelHandlerContext ctx) {
        boolean wrote = false;
        while (!answers.isEmpty() && answers.peek().isDone()) {
            FullHttpResponse response = answers.poll().join();
            boolean keepAlive = HttpUtil.isKeepAlive(response);
            ctx.write(response).addListener(keepAlive ? ChannelFutureListener.CLOSE_ON_FAILURE : ChannelFutureListener.CLOSE);
            wrote = true;
        }
        if (wrote) {
            ctx.flush();
        }
        if (answers.isEmpty() && !held.isEmpty()) {
            releaseHeld(ctx);
        }
    }

    /** Adds the CORS response headers for an allowed cross-origin request. */
    private void allowOrigin(HttpResponse response, String origin) {
        if (origin != null && cors != null && cors.allows(origin)) {
            response.headers()
                    .set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin)
                    .set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true")
                    .set(HttpHeaderNames.ACCESS_CONTROL_EXPOSE_HEADERS, "Last-Event-ID, Retry-After")
                    .add(HttpHeaderNames.VARY, HttpHeaderNames.ORIGIN);
        }
    }

    /** Whether the Origin header names this server itself (a page served here). */
    private static boolean sameOrigin(HttpRequest request, String origin) {
        String host = request.headers().get(HttpHeaderNames.HOST);
        return host != null && (origin.equals("http://" + host) || origin.equals("https://" + host));
    }

    private void problem(ChannelHandlerContext ctx, HttpRequest request, HeraldException e) {
        FullHttpResponse response = problemResponse(new NettyRequestView(request), e);
        allowOrigin(response, request.headers().get(HttpHeaderNames.ORIGIN));
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        HttpUtil.setKeepAlive(response, keepAlive);
        ctx.writeAndFlush(response).addListener(keepAlive ? ChannelFutureListener.CLOSE_ON_FAILURE : ChannelFutureListener.CLOSE);
    }

    private static FullHttpResponse problemResponse(NettyRequestView view, HeraldException e) {
        Problem problem = Problem.of(e);
        if (problem.status() >= 500) {
            log.warn("{} {}: {}", view.method(), view.path(), e.getMessage());
        } else if (log.isDebugEnabled()) {
            log.debug("{} {} refused: {}", view.method(), view.path(), e.getMessage());
        }
        FullHttpResponse response = response(problem.status(), problem.toJson(view.path()), "application/problem+json");
        if (problem.retryAfterSeconds() != null) {
            response.headers().set(HttpHeaderNames.RETRY_AFTER, problem.retryAfterSeconds());
        }
        return response;
    }

    private static void respond(ChannelHandlerContext ctx, HttpRequest request, int status, String body, String type, boolean keepAlive) {
        FullHttpResponse response = response(status, body, type);
        HttpUtil.setKeepAlive(response, keepAlive);
        ctx.writeAndFlush(response).addListener(keepAlive ? ChannelFutureListener.CLOSE_ON_FAILURE : ChannelFutureListener.CLOSE);
    }

    static FullHttpResponse response(int status, String body, String contentType) {
        ByteBuf content = Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status), content);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType).setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
        return response;
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (stream != null && ctx.channel().isWritable()) {
            stream.writable();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        while (!held.isEmpty()) {
            ReferenceCountUtil.release(held.poll());
        }
        if (body != null) {
            body.release();
            body = null;
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A reset connection is normal for streams; anything else is worth a line.
        log.debug("Connection error: {}", cause.toString());
        ctx.close();
    }
}
