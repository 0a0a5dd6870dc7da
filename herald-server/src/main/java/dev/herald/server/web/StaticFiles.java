package dev.herald.server.web;

import dev.herald.netty.Responder;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Serves the pages under {@code static/} on the classpath; {@code GET /} is {@code index.html}.
 * Files that exist are read once and kept; paths that name nothing are looked up each time and
 * never remembered (a cache of misses would grow with every path a stranger makes up). Only plain
 * paths ({@code /users.html}, {@code /js/app.js}) are looked up: no {@code ..}, no empty or dot
 * segments, so each file has one spelling. With the Mercure protocol on, pages say where the hub
 * is, as Mercure's discovery asks: {@code Link: </.well-known/mercure>; rel="mercure"}.
 */
public final class StaticFiles implements Responder {

    private static final byte[] MISSING = new byte[0];
    /** Plain names only: one spelling per file, so the cache holds at most one entry per file. */
    private static final java.util.regex.Pattern FILE_PATH = java.util.regex.Pattern.compile("(/[A-Za-z0-9_-]+)*/[A-Za-z0-9_-]+\\.[A-Za-z0-9]+");
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "svg", "image/svg+xml",
            "png", "image/png",
            "ico", "image/x-icon",
            "json", "application/json");

    private final Map<String, byte[]> cache = new ConcurrentHashMap<>();
    /** The Link header value of HTML pages, or {@code null}. */
    private final String mercureLink;

    /** Pages without a Mercure hub to point to. */
    public StaticFiles() {
        this(null);
    }

    /** Pages whose HTML points Mercure clients to the hub at this path ({@code null}: none). */
    public StaticFiles(String mercurePath) {
        this.mercureLink = mercurePath == null ? null : "<" + mercurePath + ">; rel=\"mercure\"";
    }

    @Override
    public FullHttpResponse respond(HttpRequest request, String path) {
        boolean head = request.method().equals(HttpMethod.HEAD);
        if (!(head || request.method().equals(HttpMethod.GET)) || !(path.equals("/") || FILE_PATH.matcher(path).matches())) {
            return null;
        }
        String name = path.equals("/") ? "index.html" : path.substring(1);
        byte[] file = cache.get(name);
        if (file == null) {
            file = read(name);
            if (file == MISSING) {
                return null;
            }
            cache.putIfAbsent(name, file);
        }
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(file));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, type(name))
                .setInt(HttpHeaderNames.CONTENT_LENGTH, file.length)
                .set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
        if (mercureLink != null && name.endsWith(".html")) {
            response.headers().set("Link", mercureLink);
        }
        return response;
    }

    /** How many files are kept, for tests. */
    int cachedFiles() {
        return cache.size();
    }

    private static byte[] read(String name) {
        try (InputStream in = StaticFiles.class.getResourceAsStream("/static/" + name)) {
            return in == null ? MISSING : in.readAllBytes();
        } catch (IOException e) {
            return MISSING;
        }
    }

    private static String type(String name) {
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "application/octet-stream" : TYPES.getOrDefault(name.substring(dot + 1), "application/octet-stream");
    }
}
