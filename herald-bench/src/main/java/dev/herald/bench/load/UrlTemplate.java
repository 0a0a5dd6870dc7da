package dev.herald.bench.load;

import java.net.URI;

/**
 * An {@code http://host:port/path?query} URL in which {@code {topic}} stands for the topic, so one
 * load generator drives any SSE server's URL scheme.
 */
public record UrlTemplate(String host, int port, String pathAndQuery) {

    /** Reads a template such as {@code http://127.0.0.1:8080/events?topic={topic}}. */
    public static UrlTemplate of(String template) {
        URI uri = URI.create(template.replace("{topic}", "TOPIC"));
        String path = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        return new UrlTemplate(uri.getHost(), uri.getPort(), path.replace("TOPIC", "{topic}"));
    }

    /** The path and query for one topic. */
    public String path(String topic) {
        return pathAndQuery.replace("{topic}", topic);
    }

    @Override
    public String toString() {
        return "http://" + host + ":" + port + pathAndQuery;
    }
}
