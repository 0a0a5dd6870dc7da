package dev.herald.servlet;

import dev.herald.core.HeraldException;
import dev.herald.http.CorsPolicy;
import dev.herald.http.HeraldApi;
import dev.herald.http.MethodNotAllowedException;
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
 * What Herald's paths check before Spring MVC sees a request, so a servlet application answers
 * exactly as the standalone server does: CORS by the same {@link CorsPolicy} (preflights answered
 * {@code 204} with the allowed methods and headers, other origins refused with the
 * {@code origin-not-allowed} problem, response headers for allowed ones set before the response
 * is committed, which a stream does at once), and the methods each path answers (anything else is
 * the {@code method-not-allowed} problem with an {@code Allow} header, not Spring's own 405).
 * Runs on the container's request thread.
 */
public final class HeraldPathFilter extends OncePerRequestFilter {

    private final HeraldApi api;
    private final TrustedProxies proxies;

    /**
     * Called by the auto-configuration, which registers the filter before any other.
     *
     * @param api knows Herald's paths and their CORS policy
     * @param proxies the proxies whose {@code X-Forwarded-For} names the client
     */
    public HeraldPathFilter(HeraldApi api, TrustedProxies proxies) {
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
        HeraldApi.Endpoint endpoint = api.endpointAt(view.path());
        if (!CorsPolicy.isPreflight(view) && !endpoint.methods().contains(view.method())) {
            writeProblem(response, Problem.of(new MethodNotAllowedException(view.method(), endpoint.methods())), view.path());
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
