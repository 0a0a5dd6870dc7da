package dev.herald.spring.web;

import dev.herald.http.HttpRequestView;
import jakarta.servlet.http.HttpServletRequest;
import java.util.List;

/** A servlet request as Herald's {@link HttpRequestView}. */
public record ServletRequestView(HttpServletRequest request) implements HttpRequestView {

    @Override
    public String method() {
        return request.getMethod();
    }

    @Override
    public String path() {
        return request.getRequestURI();
    }

    @Override
    public String header(String name) {
        return request.getHeader(name);
    }

    @Override
    public List<String> parameters(String name) {
        String[] values = request.getParameterValues(name);
        return values == null ? List.of() : List.of(values);
    }
}
