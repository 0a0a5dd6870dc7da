package dev.herald.servlet;

import dev.herald.core.HeraldException;
import dev.herald.http.CorsPolicy;
import dev.herald.http.HeraldApi;
import dev.herald.http.Problem;
import dev.herald.http.TrustedProxies;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * CORS on Herald's paths by the same {@link CorsPolicy} as every transport: answers preflights
 * ({@code 204} with the allowed methods and headers), refuses other origins with the same
 * {@code origin-not-allowed} problem the standalone server sends, and adds the response headers
 * for allowed ones before the response is committed (a stream commits at once).
 */
public final class HeraldCorsFilter extends OncePerRequestFilter {

    private final HeraldApi api;
    private final TrustedProxies proxies;

    /**
     * Called by the auto-configuration, which registers the filter before any other.
     *
     * @param api knows Herald's paths and their CORS policy
     * @param proxies the proxies whose {@code X-Forwarded-For} names the client
     */
    public HeraldCorsFilter(HeraldApi api, TrustedProxies proxies) {
        this.api = api;
        this.proxies = proxies;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return api.endpointAt(new ServletRequestView(request, proxies).path()) == null;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        ServletRequestView view = new ServletRequestView(request, proxies);
        CorsPolicy cors = api.cors();
        try {
            cors.check(view);
        } catch (HeraldException refused) {
            writeProblem(response, Problem.of(refused), view.path());
            return;
        }
        if (CorsPolicy.isPreflight(view)) {
            List<String> methods = new ArrayList<>(api.endpointAt(view.path()).methods());
            methods.add("OPTIONS");
            cors.preflightHeaders(view, methods).forEach(response::setHeader);
            response.setStatus(HttpServletResponse.SC_NO_CONTENT);
            return;
        }
        for (Map.Entry<String, String> header : cors.responseHeaders(view).entrySet()) {
            response.setHeader(header.getKey(), header.getValue());
        }
        chain.doFilter(request, response);
    }

    private static void writeProblem(HttpServletResponse response, Problem problem, String instance) throws IOException {
        byte[] body = problem.toJson(instance).getBytes(StandardCharsets.UTF_8);
        response.setStatus(problem.status());
        response.setContentType(Problem.MEDIA_TYPE);
        response.setContentLength(body.length);
        problem.headers().forEach(response::setHeader);
        response.getOutputStream().write(body);
    }
}
