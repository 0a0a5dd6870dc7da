package dev.herald.netty;

import dev.herald.core.HeraldException;
import dev.herald.http.HttpRequestView;
import dev.herald.http.QueryParameters;
import dev.herald.http.TrustedProxies;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One request as read off a connection: its head, its body once complete, and where it came from.
 * The target is decoded strictly when the head arrives; a target that cannot be decoded leaves a
 * {@link #refusal()} that is answered in its turn. Read on the event loop, and on whatever thread
 * serves the request after it is complete (it is not changed then).
 */
final class Exchange implements HttpRequestView {

    private static final byte[] EMPTY = new byte[0];

    private final HttpRequest head;
    private final String remoteAddress;
    private final boolean keepAlive;
    private final long startedNanos = System.nanoTime();
    private String path = "/";
    private String rawPath = "/";
    private Map<String, List<String>> parameters = Map.of();
    private HeraldException refusal;
    private byte[] body = EMPTY;

    Exchange(HttpRequest head, String peerAddress, TrustedProxies proxies, int maxParameters) {
        this.head = head;
        this.keepAlive = HttpUtil.isKeepAlive(head);
        // Every X-Forwarded-For line, in order: a proxy may add a line of its own instead of appending.
        java.util.List<String> forwarded = head.headers().getAll("X-Forwarded-For");
        this.remoteAddress = proxies.clientAddress(peerAddress, forwarded.isEmpty() ? null : String.join(",", forwarded));
        try {
            String target = originForm(head.uri());
            int query = target.indexOf('?');
            rawPath = query < 0 ? target : target.substring(0, query);
            path = QueryParameters.decodePath(rawPath);
            parameters = QueryParameters.parse(query < 0 ? null : target.substring(query + 1), maxParameters);
        } catch (HeraldException e) {
            refusal = e;
        }
    }

    /**
     * The path and query of a request target, also in absolute form ({@code http://host/path?q}),
     * which HTTP/1.1 servers must accept (RFC 9112, 3.2.2).
     */
    private static String originForm(String uri) {
        String lower = uri.length() >= 8 ? uri.substring(0, 8).toLowerCase(Locale.ROOT) : uri.toLowerCase(Locale.ROOT);
        int scheme = lower.startsWith("http://") ? 7 : lower.startsWith("https://") ? 8 : -1;
        if (scheme < 0) {
            int fragment = uri.indexOf('#');
            return fragment < 0 ? uri : uri.substring(0, fragment);
        }
        int slash = uri.indexOf('/', scheme);
        int question = uri.indexOf('?', scheme);
        int start = slash < 0 ? question : question < 0 ? slash : Math.min(slash, question);
        String rest = start < 0 ? "/" : uri.substring(start);
        return rest.startsWith("?") ? "/" + rest : rest;
    }

    HttpRequest head() {
        return head;
    }

    /** Why the request cannot be served as sent, or {@code null}. */
    HeraldException refusal() {
        return refusal;
    }

    void refuse(HeraldException value) {
        if (refusal == null) {
            refusal = value;
        }
    }

    boolean keepAlive() {
        return keepAlive;
    }

    byte[] body() {
        return body;
    }

    void body(byte[] value) {
        body = value;
    }

    @Override
    public String method() {
        return head.method().name();
    }

    @Override
    public String rawPath() {
        return rawPath;
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public String header(String name) {
        return head.headers().get(name);
    }

    @Override
    public List<String> parameters(String name) {
        return parameters.getOrDefault(name, List.of());
    }

    @Override
    public String cookie(String name) {
        String header = head.headers().get(HttpHeaderNames.COOKIE);
        if (header == null) {
            return null;
        }
        for (Cookie cookie : ServerCookieDecoder.STRICT.decode(header)) {
            if (cookie.name().equals(name)) {
                return cookie.value();
            }
        }
        return null;
    }

    @Override
    public String remoteAddress() {
        return remoteAddress;
    }

    /** When the request's head arrived, on {@link System#nanoTime()}'s clock. */
    long startedNanos() {
        return startedNanos;
    }

    @Override
    public String toString() {
        return method() + " " + path;
    }
}
