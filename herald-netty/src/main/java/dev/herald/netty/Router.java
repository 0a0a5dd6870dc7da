package dev.herald.netty;

import dev.herald.core.Connection;
import dev.herald.core.EventIds;
import dev.herald.core.HeraldException;
import dev.herald.core.Hub;
import dev.herald.core.SubscribeRequest;
import dev.herald.http.Access;
import dev.herald.http.CorsPolicy;
import dev.herald.http.HeraldApi;
import dev.herald.http.MethodNotAllowedException;
import dev.herald.http.NotFoundException;
import dev.herald.http.Problem;
import dev.herald.http.PublishRequests;
import io.netty.handler.codec.http.FullHttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What each request means: from a complete {@link Exchange} to a future {@link Reply}, one method
 * per route. Work that may block (authentication that says so, opening a stream that reads a
 * cursor or a cluster's log or looks up a publisher's id, presence) runs on a virtual thread; everything else runs where it is
 * called, on the event loop. The future never fails: every refusal becomes a problem reply.
 * Immutable and shared by every channel of a server.
 */
final class Router {

    private static final Logger log = LoggerFactory.getLogger(Router.class);
    private static final byte[] NO_BODY = new byte[0];
    /** Where work that may block runs: a virtual thread each. */
    private static final Executor OFF_LOOP = task -> Thread.ofVirtual().name("herald-netty-serve").start(task);

    private final HeraldApi api;
    private final Hub hub;
    private final Map<String, StreamRoute> routes;
    private final Map<String, StreamRoute> prefixRoutes;
    private final List<Responder> responders;

    Router(HeraldApi api, Map<String, StreamRoute> routes, Map<String, StreamRoute> prefixRoutes, List<Responder> responders) {
        this.api = api;
        this.hub = api.hub();
        this.routes = Map.copyOf(routes);
        this.prefixRoutes = Map.copyOf(prefixRoutes);
        this.responders = List.copyOf(responders);
    }

    HeraldApi api() {
        return api;
    }

    /** Whether the request publishes: the one kind that may run beside others on its connection. */
    boolean isPublish(Exchange exchange) {
        return api.isPublish(exchange.method(), exchange.path());
    }

    /** Whether the request's body is read and kept (only publishes have one worth reading). */
    boolean takesBody(Exchange exchange) {
        return isPublish(exchange);
    }

    /** Whether requests may be authenticated on the event loop, so publishes can be pipelined without waiting. */
    boolean authenticatesInPlace() {
        return !api.authenticationBlocks();
    }

    /** Serves one request; the future completes with the reply, on any thread, and never fails. */
    CompletableFuture<Reply> serve(Exchange exchange) {
        CompletableFuture<Reply> reply;
        try {
            reply = route(exchange);
        } catch (RuntimeException e) {
            reply = CompletableFuture.failedFuture(e);
        }
        return reply.handle((answer, failure) -> failure == null ? answer : refusal(exchange, failure));
    }

    private CompletableFuture<Reply> route(Exchange exchange) {
        if (exchange.refusal() != null) {
            throw exchange.refusal();
        }
        HeraldApi.Endpoint endpoint = api.endpointAt(exchange.path());
        StreamRoute stream = endpoint == null ? streamRoute(exchange.path()) : null;
        if (endpoint == null && stream == null) {
            boolean mayBlock = responders.stream().anyMatch(responder -> responder.mayBlock(exchange.path()));
            return maybeOffLoop(mayBlock, () -> respond(exchange));
        }
        List<String> methods = endpoint != null ? endpoint.methods() : List.of("GET");
        if (CorsPolicy.isPreflight(exchange)) {
            api.cors().check(exchange);
            List<String> allowed = new ArrayList<>(methods);
            allowed.add("OPTIONS");
            return CompletableFuture.completedFuture(new Reply.Full(204, null, NO_BODY, api.cors().preflightHeaders(exchange, allowed)));
        }
        if (!methods.contains(exchange.method())) {
            throw new MethodNotAllowedException(exchange.method(), methods);
        }
        boolean offLoop = api.authenticationBlocks();
        return maybeOffLoop(offLoop, () -> api.authenticate(exchange)).thenCompose(access -> {
            if (stream != null) {
                return subscribe(exchange, access, stream, offLoop);
            }
            return switch (endpoint) {
                case EVENTS -> exchange.method().equals("POST") ? publish(exchange, access) : subscribe(exchange, access, null, offLoop);
                case PRESENCE -> maybeOffLoop(!offLoop, () -> presence(exchange, access));
                case CONNECTIONS -> api.endStreams(exchange, access).thenApply(json -> Reply.Full.json(202, json));
                case MERCURE -> exchange.method().equals("POST") ? mercurePublish(exchange, access)
                        : open(exchange, api.mercureSubscription(exchange, access), (connection, request) -> api.mercureStreamOpened(connection, access), offLoop);
                case MERCURE_SUBSCRIPTIONS -> maybeOffLoop(!offLoop, () -> new Reply.Full(200, "application/ld+json",
                        api.mercureSubscriptions(exchange, access).getBytes(java.nio.charset.StandardCharsets.UTF_8),
                        Map.of("Cache-Control", "must-revalidate")));
            };
        });
    }

    /** {@code GET /events} or an application's stream route: a stream, opened off the loop if opening may block. */
    private CompletableFuture<Reply> subscribe(Exchange exchange, Access access, StreamRoute route, boolean offLoop) {
        SubscribeRequest subscription = route == null ? api.subscription(exchange, access) : route.subscription(exchange, access);
        return open(exchange, subscription, route == null ? null : route::opened, offLoop);
    }

    /**
     * Opens the stream, off the loop if opening may block: reading a cursor, a cluster's log, or
     * looking up a publisher's id (a Last-Event-ID not in one of the hub's own forms).
     */
    private CompletableFuture<Reply> open(Exchange exchange, SubscribeRequest subscription,
            java.util.function.BiConsumer<Connection, dev.herald.http.HttpRequestView> opened, boolean offLoop) {
        String lastEventId = subscription.lastEventId();
        boolean mayBlock = subscription.sinceLastDelivered() && lastEventId == null || hub.eventLog().readsBlock()
                || lastEventId != null && !EventIds.isHubForm(lastEventId);
        return maybeOffLoop(mayBlock && !offLoop, () -> {
            Connection connection = hub.open(subscription);
            return new Reply.Stream(connection, exchange, opened);
        });
    }

    /** {@code POST /events}: stored without blocking the loop; the reply completes when the log has the event. */
    private CompletableFuture<Reply> publish(Exchange exchange, Access access) {
        return hub.publishAsync(api.publication(exchange, access, exchange.body()))
                .thenApply(event -> Reply.Full.json(201, PublishRequests.created(event.id())));
    }

    /** {@code POST} to the Mercure path: answered {@code 200 text/plain} with the update's id once stored. */
    private CompletableFuture<Reply> mercurePublish(Exchange exchange, Access access) {
        return hub.publishAsync(api.mercurePublication(exchange, access, exchange.body()))
                .thenApply(event -> new Reply.Full(200, "text/plain; charset=utf-8",
                        EventIds.mercureId(event).getBytes(java.nio.charset.StandardCharsets.UTF_8), Map.of()));
    }

    private Reply presence(Exchange exchange, Access access) {
        Reply.Full answer = Reply.Full.json(200, api.presence(exchange, access));
        return new Reply.Full(answer.status(), answer.contentType(), answer.body(), Map.of("Cache-Control", "no-store"));
    }

    /** Pages, health and other plain responses; a 404 problem if no responder answers. */
    private Reply respond(Exchange exchange) {
        for (Responder responder : responders) {
            FullHttpResponse response = responder.respond(exchange.head(), exchange.path());
            if (response != null) {
                return new Reply.Prebuilt(response);
            }
        }
        throw new NotFoundException();
    }

    private StreamRoute streamRoute(String path) {
        StreamRoute exact = routes.get(path);
        if (exact != null) {
            return exact;
        }
        for (Map.Entry<String, StreamRoute> prefix : prefixRoutes.entrySet()) {
            if (path.startsWith(prefix.getKey()) && path.length() > prefix.getKey().length()) {
                return prefix.getValue();
            }
        }
        return null;
    }

    /** Runs the work on a virtual thread when asked, else here; either way as a future. */
    private static <T> CompletableFuture<T> maybeOffLoop(boolean offLoop, Supplier<T> work) {
        if (offLoop) {
            return CompletableFuture.supplyAsync(work, OFF_LOOP);
        }
        try {
            return CompletableFuture.completedFuture(work.get());
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** The problem reply for a failure; failures Herald did not foresee are logged and answered 500. */
    private static Reply refusal(Exchange exchange, Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof HeraldException refused) {
            Problem problem = Problem.of(refused);
            if (problem.status() >= 500) {
                log.warn("{}: {}", exchange, refused.getMessage());
            } else if (log.isDebugEnabled()) {
                log.debug("{} refused: {}", exchange, refused.getMessage());
            }
            return problem(exchange, problem);
        }
        log.error("{} failed", exchange, cause);
        return problem(exchange, Problem.internal());
    }

    static Reply.Full problem(Exchange exchange, Problem problem) {
        return new Reply.Full(problem.status(), Problem.MEDIA_TYPE,
                problem.toJson(exchange.path()).getBytes(java.nio.charset.StandardCharsets.UTF_8), problem.headers());
    }
}
