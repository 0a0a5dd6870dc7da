package dev.herald.netty;

import dev.herald.http.HttpRequestView;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;
import java.util.Map;

/** A Netty request as Herald's {@link HttpRequestView}; the query is decoded once. */
final class NettyRequestView implements HttpRequestView {

    private final HttpRequest request;
    private final String path;
    private final Map<String, List<String>> parameters;

    NettyRequestView(HttpRequest request) {
        this.request = request;
        QueryStringDecoder decoder = new QueryStringDecoder(request.uri());
        this.path = decoder.path();
        this.parameters = decoder.parameters();
    }

    @Override
    public String method() {
        return request.method().name();
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public String header(String name) {
        return request.headers().get(name);
    }

    @Override
    public List<String> parameters(String name) {
        return parameters.getOrDefault(name, List.of());
    }

    HttpRequest request() {
        return request;
    }
}
