package dev.herald.servlet;

import dev.herald.http.HttpRequestView;
import dev.herald.http.QueryParameters;
import dev.herald.http.TrustedProxies;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Collections;
import java.util.List;

/**
 * A servlet request as Herald's {@link HttpRequestView}.
 *
 * @param request the request
 * @param proxies the proxies whose {@code X-Forwarded-For} names the client
 */
public record ServletRequestView(HttpServletRequest request, TrustedProxies proxies) implements HttpRequestView {

    /** The most query parameters read, as Tomcat's own default limit. */
    private static final int MAX_PARAMETERS = 1000;

    /** A view that believes no proxy. */
    public ServletRequestView(HttpServletRequest request) {
        this(request, TrustedProxies.none());
    }

    @Override
    public String method() {
        return request.getMethod();
    }

    @Override
    public String path() {
        return request.getRequestURI().substring(request.getContextPath().length());
    }

    /** The request URI within the application, escapes kept (the container does not decode it). */
    @Override
    public String rawPath() {
        return request.getRequestURI().substring(request.getContextPath().length());
    }

    @Override
    public String header(String name) {
        return request.getHeader(name);
    }

    /**
     * The query's parameters only, decoded as on every transport: never a form body's fields (the
     * container's own parameters would merge them in, and read the body a publish needs).
     */
    @Override
    public List<String> parameters(String name) {
        List<String> values = QueryParameters.parse(request.getQueryString(), MAX_PARAMETERS).get(name);
        return values == null ? List.of() : List.copyOf(values);
    }

    @Override
    public String cookie(String name) {
        Cookie[] cookies = request.getCookies();
        if (cookies != null) {
            for (Cookie cookie : cookies) {
                if (cookie.getName().equals(name)) {
                    return cookie.getValue();
                }
            }
        }
        return null;
    }

    @Override
    public String remoteAddress() {
        // Every X-Forwarded-For line, in order: a proxy may add a line of its own instead of appending.
        List<String> forwarded = Collections.list(request.getHeaders("X-Forwarded-For"));
        return proxies.clientAddress(request.getRemoteAddr(), forwarded.isEmpty() ? null : String.join(",", forwarded));
    }
}
