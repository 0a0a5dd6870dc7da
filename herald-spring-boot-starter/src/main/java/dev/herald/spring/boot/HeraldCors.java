package dev.herald.spring.boot;

import org.springframework.web.servlet.config.annotation.CorsRegistry;

/**
 * CORS for stream and publish paths: the configured origins, with credentials (cookies reach the
 * hub), any request header (Last-Event-ID, Authorization), and Last-Event-ID readable by scripts.
 */
public final class HeraldCors {

    private HeraldCors() {
    }

    /** Allows the configured origins on these paths; does nothing if none are configured. */
    public static void register(CorsRegistry registry, HeraldProperties.Cors cors, String... paths) {
        if (cors.getAllowedOrigins().isEmpty()) {
            return;
        }
        for (String path : paths) {
            registry.addMapping(path)
                    .allowedOriginPatterns(cors.getAllowedOrigins().toArray(String[]::new))
                    .allowedMethods("GET", "POST", "OPTIONS")
                    .allowedHeaders("*")
                    .exposedHeaders("Last-Event-ID", "Retry-After")
                    .allowCredentials(true)
                    .maxAge(cors.getMaxAge().toSeconds());
        }
    }
}
