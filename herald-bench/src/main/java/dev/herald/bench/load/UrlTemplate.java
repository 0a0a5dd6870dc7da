package dev.herald.bench.load;

import java.net.URI;

/**
 * An {@code http://} or {@code https://host:port/path?query} URL in which {@code {topic}} stands
 * for the topic, so one load generator drives any SSE server's URL scheme.
 */
public record UrlTemplate(String scheme, String host, int port, String pathAndQuery) {

    /** Reads a template such as {@code http://127.0.0.1:8080/events?topic={topic}}. */
    public static UrlTemplate of(String template) {
        URI uri = URI.create(template.replace("{topic}", "TOPIC"));
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
            throw new IllegalArgumentException("not an http or https URL: " + template);
        }
        String path = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        return new UrlTemplate(uri.getScheme(), uri.getHost(), uri.getPort(), path.replace("TOPIC", "{topic}"));
    }

    /** Whether the URL is {@code https}: connections to it are secured with TLS. */
    public boolean tls() {
        return scheme.equals("https");
    }

    /** The path and query for one topic. */
    public String path(String topic) {
        return pathAndQuery.replace("{topic}", topic);
    }

    /** {@code host:port}, as HTTP/1.1's {@code Host} and HTTP/2's {@code :authority} name it. */
    public String authority() {
        return host + ":" + port;
    }

    @Override
    public String toString() {
        return scheme + "://" + host + ":" + port + pathAndQuery;
    }
}
