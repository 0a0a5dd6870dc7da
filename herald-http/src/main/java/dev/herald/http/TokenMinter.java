package dev.herald.http;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.herald.core.InvalidSubscriptionException;
import dev.herald.core.TopicSelector;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Mints HS256 tokens that {@link Authentication} with the same secret accepts: for development
 * and for services that publish, e.g. {@code java -jar herald-server.jar token --sub alice
 * --subscribe 'users/alice/{+path}' --secret ...}. Production applications usually mint their tokens
 * with their own JWT library, with the claims described on {@link Authentication}.
 */
public final class TokenMinter {

    private TokenMinter() {
    }

    /**
     * A token signed with HMAC-SHA256:
     *
     * <pre>{@code
     * {"sub": "alice", "iat": 1767222000, "exp": 1767225600,
     *  "herald": {"subscribe": ["users/alice/{+path}"], "publish": [], "presence": false, "admin": false}}
     * }</pre>
     *
     * @param secret    the secret {@link Authentication.Builder#secret} is given, at least 32 bytes
     * @param subject   the user ({@code sub}), or {@code null} for none
     * @param subscribe selectors the bearer may subscribe to
     * @param publish   selectors of the topics the bearer may publish to
     * @param presence  whether the bearer may ask who is connected
     * @param admin     whether the bearer may do everything
     * @param lifetime  how long the token is valid ({@code exp} is then), or {@code null} for a token
     *                  that never expires
     * @param clock     what "now" is ({@code iat})
     * @throws IllegalArgumentException if the secret is too short, a selector is invalid or the
     *                                  lifetime is not positive
     */
    public static String hs256(byte[] secret, String subject, List<String> subscribe, List<String> publish, boolean presence,
            boolean admin, Duration lifetime, InstantSource clock) {
        if (secret == null || secret.length < Authentication.MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("an HMAC secret needs at least " + Authentication.MIN_SECRET_BYTES + " bytes");
        }
        if (lifetime != null && (lifetime.isNegative() || lifetime.isZero())) {
            throw new IllegalArgumentException("the lifetime must be positive");
        }
        checkSelectors(subscribe);
        checkSelectors(publish);
        Map<String, Object> grants = new LinkedHashMap<>();
        grants.put("subscribe", List.copyOf(subscribe));
        grants.put("publish", List.copyOf(publish));
        grants.put("presence", presence);
        grants.put("admin", admin);
        Instant now = clock.instant();
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .subject(subject)
                .issueTime(Date.from(now))
                .claim("herald", grants);
        if (lifetime != null) {
            claims.expirationTime(Date.from(now.plus(lifetime)));
        }
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).type(JOSEObjectType.JWT).build(), claims.build());
        try {
            jwt.sign(new MACSigner(secret));
        } catch (JOSEException e) {
            throw new IllegalArgumentException("cannot sign with this secret: " + e.getMessage(), e);
        }
        return jwt.serialize();
    }

    private static void checkSelectors(List<String> selectors) {
        for (String selector : selectors) {
            try {
                TopicSelector.parse(selector);
            } catch (InvalidSubscriptionException e) {
                throw new IllegalArgumentException("invalid topic selector: " + e.getMessage());
            }
        }
    }
}
