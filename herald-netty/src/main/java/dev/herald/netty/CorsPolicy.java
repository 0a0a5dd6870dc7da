package dev.herald.netty;

import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Which browser origins may use a Netty-served stream or publish endpoint, with credentials.
 * Origins are exact ({@code http://localhost:8081}) or patterns with {@code *}
 * ({@code https://*.example.com}); {@code *} alone allows any origin (echoed back, as credentials
 * require). Immutable.
 *
 * @param origins the allowed origins or patterns
 * @param maxAge  how long browsers may cache a preflight answer
 */
public record CorsPolicy(List<String> origins, Duration maxAge) {

    public CorsPolicy {
        origins = List.copyOf(origins);
    }

    /** Allows these origins, preflights cached for 30 minutes. */
    public static CorsPolicy allow(List<String> origins) {
        return new CorsPolicy(origins, Duration.ofMinutes(30));
    }

    /** Whether the origin may use the endpoints. */
    public boolean allows(String origin) {
        if (origin == null) {
            return false;
        }
        for (String allowed : origins) {
            if (allowed.equals("*") || allowed.equals(origin)
                    || (allowed.contains("*") && Pattern.matches(Pattern.quote(allowed).replace("*", "\\E[^/]*\\Q"), origin))) {
                return true;
            }
        }
        return false;
    }
}
