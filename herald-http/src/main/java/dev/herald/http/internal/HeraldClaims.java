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
 * A Mercure token's {@code mercure} object grants the same way ({@code subscribe}: the topics it
 * may receive private updates of; {@code publish}; {@code payload}, kept for Mercure's
 * subscriptions), so tokens minted for a Mercure hub work unchanged:
 *
 * <pre>{@code
 * {"mercure": {"subscribe": ["https://example.com/users/alice/{+path}"], "publish": ["*"]}}
 * }</pre>
 *
 * Absent members grant nothing. A member of the wrong type, or a selector Herald cannot read, makes
 * the whole token invalid (401) rather than silently granting less.
 */
public final class HeraldClaims {

    /** The name of the claim that holds Herald's grants. */
    public static final String CLAIM = "herald";
    /** The name of the claim that holds a Mercure token's grants. */
    public static final String MERCURE_CLAIM = "mercure";
    private static final tools.jackson.databind.json.JsonMapper JSON = tools.jackson.databind.json.JsonMapper.builder().build();

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
        Map<?, ?> grants = object(claims, CLAIM);
        Map<?, ?> mercure = object(claims, MERCURE_CLAIM);
        Date expiry = claims.getExpirationTime();
        return Access.user(claims.getSubject())
                .subscribe(selectors(grants, CLAIM, "subscribe"))
                .subscribe(selectors(mercure, MERCURE_CLAIM, "subscribe"))
                .publicTopics(publicTopics)
                .publish(selectors(grants, CLAIM, "publish"))
                .publish(selectors(mercure, MERCURE_CLAIM, "publish"))
                .presence(flag(grants, "presence"))
                .admin(flag(grants, "admin"))
                .payload(payload(mercure))
                .expiresAt(expiry == null ? null : expiry.toInstant())
                .credential(credential)
                .build();
    }

    /** {@code mercure.payload} as JSON text, or {@code null}. */
    private static String payload(Map<?, ?> mercure) {
        Object payload = mercure.get("payload");
        return payload == null ? null : JSON.writeValueAsString(payload);
    }

    /** The claim's object, empty if absent. */
    private static Map<?, ?> object(JWTClaimsSet claims, String claim) {
        Object value = claims.getClaim(claim);
        if (value == null) {
            return Map.of();
        }
        if (value instanceof Map<?, ?> map) {
            return map;
        }
        throw new AuthenticationRequiredException("the token's \"" + claim + "\" claim must be an object");
    }

    private static List<TopicSelector> selectors(Map<?, ?> grants, String claim, String member) {
        Object value = grants.get(member);
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> list)) {
            throw malformed(claim, member, "must be an array of topic selectors");
        }
        List<TopicSelector> selectors = new ArrayList<>(list.size());
        for (Object element : list) {
            if (!(element instanceof String text)) {
                throw malformed(claim, member, "must be an array of topic selectors");
            }
            try {
                selectors.add(TopicSelector.parse(text));
            } catch (InvalidSubscriptionException e) {
                throw malformed(claim, member, "holds an invalid topic selector: " + e.getMessage());
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
            throw malformed(CLAIM, member, "must be true or false");
        }
        return flag;
    }

    private static AuthenticationRequiredException malformed(String claim, String member, String problem) {
        return new AuthenticationRequiredException("the token's \"" + claim + "." + member + "\" claim " + problem);
    }
}
