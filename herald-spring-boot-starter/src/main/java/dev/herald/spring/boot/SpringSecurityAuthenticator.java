package dev.herald.spring.boot;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.herald.core.TopicSelector;
import dev.herald.http.Access;
import dev.herald.http.HeraldAuthenticator;
import dev.herald.http.HttpRequestView;
import dev.herald.http.internal.HeraldClaims;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.util.ClassUtils;

/**
 * Herald's identity from Spring Security, in a servlet application that uses it: the request's
 * authenticated principal is the user. A principal that carries JWT claims (an OAuth2 resource
 * server's {@code Jwt}) gets the grants of its {@code herald} claim, as Herald's own tokens do; any
 * other authenticated principal may subscribe to the public topics and receives the events
 * addressed to it, and nothing more (define a {@link HeraldAuthenticator} bean to grant more).
 * Requests Spring Security did not authenticate go to Herald's own authentication
 * ({@code herald.auth.*}).
 *
 * <p>Reads the {@link SecurityContextHolder}, so it runs on the request's thread: the servlet
 * transport calls it there. Never used by the standalone server.
 */
final class SpringSecurityAuthenticator implements HeraldAuthenticator {

    private static final boolean CLAIMS_PRESENT = ClassUtils.isPresent(
            "org.springframework.security.oauth2.core.ClaimAccessor", SpringSecurityAuthenticator.class.getClassLoader());

    private final HeraldAuthenticator fallback;
    private final List<TopicSelector> publicTopics;

    private SpringSecurityAuthenticator(HeraldAuthenticator fallback, List<TopicSelector> publicTopics) {
        this.fallback = fallback;
        this.publicTopics = publicTopics;
    }

    /** Spring Security's principal when there is one, else the fallback's answer. */
    static HeraldAuthenticator withFallback(HeraldAuthenticator fallback, List<TopicSelector> publicTopics) {
        return new SpringSecurityAuthenticator(fallback, publicTopics);
    }

    @Override
    public Access authenticate(HttpRequestView request) {
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        if (authentication == null || !authentication.isAuthenticated() || authentication instanceof AnonymousAuthenticationToken) {
            return fallback.authenticate(request);
        }
        Access.Credential credential = request.header("Authorization") != null ? Access.Credential.HEADER : Access.Credential.COOKIE;
        Map<String, Object> claims = CLAIMS_PRESENT ? Claims.of(authentication.getPrincipal()) : null;
        if (claims != null) {
            return HeraldClaims.access(claimsSet(authentication.getName(), claims), credential, publicTopics);
        }
        return Access.user(authentication.getName()).publicTopics(publicTopics).credential(credential).build();
    }

    private static JWTClaimsSet claimsSet(String name, Map<String, Object> claims) {
        JWTClaimsSet.Builder set = new JWTClaimsSet.Builder().subject(name);
        if (claims.get("exp") instanceof Instant expiry) {
            set.expirationTime(Date.from(expiry));
        }
        if (claims.containsKey(HeraldClaims.CLAIM)) {
            set.claim(HeraldClaims.CLAIM, claims.get(HeraldClaims.CLAIM));
        }
        return set.build();
    }

    @Override
    public boolean blocks() {
        return fallback.blocks();
    }

    @Override
    public void close() {
        fallback.close();
    }

    /** Loaded only when Spring Security's OAuth2 core is on the classpath. */
    private static final class Claims {
        static Map<String, Object> of(Object principal) {
            return principal instanceof org.springframework.security.oauth2.core.ClaimAccessor accessor ? accessor.getClaims() : null;
        }
    }
}
