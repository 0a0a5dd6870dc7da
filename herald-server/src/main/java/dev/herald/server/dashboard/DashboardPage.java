package dev.herald.server.dashboard;

import dev.herald.netty.Responder;
import dev.herald.server.web.StaticFiles;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpRequest;

/**
 * The dashboard's page, {@code /dashboard} (and {@code /dashboard/}), and its scripts, styles and
 * vendored chart library under {@code /dashboard/}, from {@code static/dashboard/} on the classpath.
 * Public: the page holds no data, its stream ({@link Dashboard#STREAM_PATH}) is what is protected.
 * Served whether or not the demo pages are.
 */
final class DashboardPage implements Responder {

    private static final String PREFIX = "/dashboard/";

    private final StaticFiles files = new StaticFiles();

    @Override
    public FullHttpResponse respond(HttpRequest request, String path) {
        if (path.equals("/dashboard") || path.equals(PREFIX)) {
            return files.respond(request, PREFIX + "index.html");
        }
        return path.startsWith(PREFIX) ? files.respond(request, path) : null;
    }
}
