package dev.herald.http.testing;

import dev.herald.http.HttpRequestView;
import dev.herald.http.internal.Cookies;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A request as a server would hand it to Herald, for tests of what reads {@link HttpRequestView}:
 *
 * <pre>{@code
 * FakeRequest.get("/events").query("topic", "news").bearer(token).remoteAddress("10.0.0.1").build();
 * }</pre>
 *
 * Header names are case-insensitive; cookies are read from the {@code Cookie} header, as servers do.
 *
 * @param method        the method, upper case
 * @param path          the path, without the query
 * @param headers       header values by lower-case name (one value each)
 * @param query         query parameter values by name, in order
 * @param remoteAddress the client's address, or {@code null}
 */
public record FakeRequest(String method, String path, Map<String, String> headers, Map<String, List<String>> query,
        String remoteAddress) implements HttpRequestView {

    public FakeRequest {
        headers = Map.copyOf(headers);
        Map<String, List<String>> copy = new LinkedHashMap<>();
        query.forEach((name, values) -> copy.put(name, List.copyOf(values)));
        query = java.util.Collections.unmodifiableMap(copy);
    }

    /** Starts a {@code GET} of the path. */
    public static Builder get(String path) {
        return new Builder("GET", path);
    }

    /** Starts a {@code POST} to the path. */
    public static Builder post(String path) {
        return new Builder("POST", path);
    }

    /** Starts a request with any method. */
    public static Builder request(String method, String path) {
        return new Builder(method, path);
    }

    @Override
    public String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }

    @Override
    public List<String> parameters(String name) {
        return query.getOrDefault(name, List.of());
    }

    @Override
    public String cookie(String name) {
        return Cookies.parse(header("Cookie")).get(name);
    }

    /** Builds a {@link FakeRequest}. Not thread-safe. */
    public static final class Builder {
        private final String method;
        private final String path;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private final Map<String, List<String>> query = new LinkedHashMap<>();
        private String remoteAddress = "127.0.0.1";

        private Builder(String method, String path) {
            this.method = method;
            this.path = path;
        }

        /** Sets a header, replacing a previous value. */
        public Builder header(String name, String value) {
            headers.put(name.toLowerCase(Locale.ROOT), value);
            return this;
        }

        /** Sets {@code Authorization: Bearer <token>}. */
        public Builder bearer(String token) {
            return header("Authorization", "Bearer " + token);
        }

        /** Adds a cookie to the {@code Cookie} header. */
        public Builder cookie(String name, String value) {
            String cookies = headers.get("cookie");
            return header("Cookie", (cookies == null ? "" : cookies + "; ") + name + "=" + value);
        }

        /** Adds values of a query parameter. */
        public Builder query(String name, String... values) {
            query.computeIfAbsent(name, key -> new ArrayList<>()).addAll(List.of(values));
            return this;
        }

        /** The client's address; {@code 127.0.0.1} by default, {@code null} for unknown. */
        public Builder remoteAddress(String value) {
            remoteAddress = value;
            return this;
        }

        /** The request. */
        public FakeRequest build() {
            return new FakeRequest(method, path, headers, query, remoteAddress);
        }
    }
}
