package dev.herald.http.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * A real HTTP server on {@code 127.0.0.1} and an ephemeral port, for tests of what Herald fetches
 * or calls (a JWK set, an authorization callback). It records every request and answers with what
 * the handler returns; handlers run on virtual threads, so one may block (a slow endpoint) without
 * holding up the others. {@link #close} stops it and interrupts blocked handlers.
 */
public final class LocalHttpServer implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final List<Recorded> requests = new CopyOnWriteArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile Function<Recorded, Reply> handler;

    private LocalHttpServer(Function<Recorded, Reply> handler) throws IOException {
        this.handler = handler;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Starts a server that answers every request with the handler's reply. */
    public static LocalHttpServer start(Function<Recorded, Reply> handler) {
        try {
            return new LocalHttpServer(handler);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start a local HTTP server", e);
        }
    }

    /** Replaces the handler, e.g. to rotate keys or start failing. */
    public void answer(Function<Recorded, Reply> newHandler) {
        handler = newHandler;
    }

    /** The URL of a path on this server. */
    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    /** The requests received so far, in order. */
    public List<Recorded> requests() {
        return List.copyOf(requests);
    }

    /** Stops listening, so that connections are refused, and interrupts handlers still running. Safe twice. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            server.stop(0);
            executor.shutdownNow();
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Map<String, String> headers = new TreeMap<>();
            exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), values.getFirst()));
            Recorded request = new Recorded(exchange.getRequestMethod(), exchange.getRequestURI().getPath(), headers,
                    new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            requests.add(request);
            Reply reply = handler.apply(request);
            byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
            if (reply.contentType() != null) {
                exchange.getResponseHeaders().set("Content-Type", reply.contentType());
            }
            exchange.sendResponseHeaders(reply.status(), body.length == 0 ? -1 : body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /**
     * A request the server received.
     *
     * @param method  the method
     * @param path    the path
     * @param headers the first value of each header, by lower-case name
     * @param body    the body as UTF-8
     */
    public record Recorded(String method, String path, Map<String, String> headers, String body) {
    }

    /**
     * What to answer.
     *
     * @param status      the status
     * @param contentType the {@code Content-Type}, or {@code null}
     * @param body        the body, possibly empty
     */
    public record Reply(int status, String contentType, String body) {

        /** A JSON answer. */
        public static Reply json(int status, String body) {
            return new Reply(status, "application/json", body);
        }

        /** An answer without a body. */
        public static Reply empty(int status) {
            return new Reply(status, null, "");
        }
    }
}
