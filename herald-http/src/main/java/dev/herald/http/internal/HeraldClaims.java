package dev.herald.http.internal;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.herald.core.InvalidSubscriptionException;
import dev.herald.core.TopicSelector;
import dev.herald.http.Access;
import dev.herald.http.AuthenticationRequiredException;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;

/**
 * Turns a verified token's claims into {@link Access}: {@code sub} is the user, {@code exp} when
 * the access ends, and the {@code herald} object holds the grants:
 *
 * <pre>{@code
 * {"sub": "alice", "exp": 1767225600,
 *  "herald": {"subscribe": ["users/alice/{+path}", "news"], "publish": ["users/alice/outbox"],
 *             "presence": false, "admin": false}}
 * }</pre>
 *
 * Absent members grant nothing. A member of the wrong type, or a selector Herald cannot read, makes
 * the whole token invalid (401) rather than silently granting less.
 */
public final class HeraldClaims {

    /** The name of the claim that holds Herald's grants. */
    public static final String CLAIM = "herald";

    private HeraldClaims() {
    }

    /**
     * The access the claims grant.
     *
     * @param publicTopics selectors every caller may subscribe to for public events (empty when
     *                     anonymous access is off)
     * @throws AuthenticationRequiredException if the {@code herald} claim is malformed, naming the member
     */
    public static Access access(JWTClaimsSet claims, Access.Credential credential, List<TopicSelector> publicTopics) {
        Object herald = claims.getClaim(CLAIM);
        Map<?, ?> grants;
        if (herald == null) {
            grants = Map.of();
        } else if (herald instanceof Map<?, ?> map) {
            grants = map;
        } else {
            throw new AuthenticationRequiredException("the token's \"herald\" claim must be an object");
        }
        Date expiry = claims.getExpirationTime();
        return Access.user(claims.getSubject())
                .subscribe(selectors(grants, "subscribe"))
                .publicTopics(publicTopics)
                .publish(selectors(grants, "publish"))
                .presence(flag(grants, "presence"))
                .admin(flag(grants, "admin"))
                .expiresAt(expiry == null ? null : expiry.toInstant())
                .credential(credential)
                .build();
    }

    private static List<TopicSelector> selectors(Map<?, ?> grants, String member) {
        Object value = grants.get(member);
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> list)) {
            throw malformed(member, "must be an array of topic selectors");
        }
        List<TopicSelector> selectors = new ArrayList<>(list.size());
        for (Object element : list) {
            if (!(element instanceof String text)) {
                throw malformed(member, "must be an array of topic selectors");
            }
            try {
                selectors.add(TopicSelector.parse(text));
            } catch (InvalidSubscriptionException e) {
                throw malformed(member, "holds an invalid topic selector: " + e.getMessage());
            }
        }
        return selectors;
    }

    private static boolean flag(Map<?, ?> grants, String member) {
        Object value = grants.get(member);
        if (value == null) {
            return false;
        }
        if (!(value instanceof Boolean flag)) {
            throw malformed(member, "must be true or false");
        }
        return flag;
    }

    private static AuthenticationRequiredException malformed(String member, String problem) {
        return new AuthenticationRequiredException("the token's \"herald." + member + "\" claim " + problem);
    }
}
