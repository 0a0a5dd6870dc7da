package dev.herald.spring.boot;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.springframework.core.env.Environment;

/**
 * Whether this node is one of a cluster on Redis, and on which Redis: read by the auto-configuration
 * to choose the Redis backend, and by anything else that must tell a cluster from a single node (the
 * standalone server's dashboard names its node by it).
 */
public final class ClusterMode {

    private ClusterMode() {
    }

    /**
     * The Redis URL for cluster mode: {@code herald.redis.url}; or, with
     * {@code herald.redis.spring-data=true}, Spring's {@code spring.data.redis.url}, else one built
     * from {@code spring.data.redis.host} (with port, username, password, database and
     * ssl.enabled); {@code null} when none applies: a single node. Called at start-up, on any thread.
     *
     * @throws IllegalStateException for Spring Redis settings Herald cannot follow (Sentinel,
     *                               Cluster, SSL bundles): name them in herald.redis.url instead
     */
    public static String redisUrl(HeraldProperties properties, Environment environment) {
        HeraldProperties.Redis redis = properties.getRedis();
        if (redis.getUrl() != null && !redis.getUrl().isBlank()) {
            return redis.getUrl().trim();
        }
        if (!redis.isSpringData()) {
            return null;
        }
        for (String unsupported : List.of("spring.data.redis.sentinel.master", "spring.data.redis.cluster.nodes",
                "spring.data.redis.ssl.bundle")) {
            if (environment.getProperty(unsupported) != null) {
                throw new IllegalStateException(unsupported + " is set, which Herald does not follow: give Herald its Redis as"
                        + " herald.redis.url (redis-sentinel://host:port#master for Sentinel, rediss:// for TLS)");
            }
        }
        String url = environment.getProperty("spring.data.redis.url");
        if (url != null && !url.isBlank()) {
            return url.trim();
        }
        String host = environment.getProperty("spring.data.redis.host");
        if (host == null || host.isBlank()) {
            return null;
        }
        host = host.trim();
        boolean ssl = environment.getProperty("spring.data.redis.ssl.enabled", Boolean.class, false);
        StringBuilder built = new StringBuilder(ssl ? "rediss://" : "redis://");
        String username = environment.getProperty("spring.data.redis.username");
        String password = environment.getProperty("spring.data.redis.password");
        if (password != null && !password.isEmpty()) {
            if (username != null && !username.isEmpty()) {
                built.append(encode(username));
            }
            built.append(':').append(encode(password)).append('@');
        }
        built.append(host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host);
        built.append(':').append(environment.getProperty("spring.data.redis.port", Integer.class, 6379));
        built.append('/').append(environment.getProperty("spring.data.redis.database", Integer.class, 0));
        return built.toString();
    }

    private static String encode(String part) {
        return URLEncoder.encode(part, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
