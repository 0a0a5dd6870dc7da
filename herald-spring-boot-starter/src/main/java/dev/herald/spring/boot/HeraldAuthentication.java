package dev.herald.spring.boot;

import dev.herald.core.TopicSelector;
import dev.herald.http.Authentication;
import dev.herald.http.HeraldAuthenticator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link HeraldAuthenticator} that {@code herald.auth.*} describes: JWTs and the callback when
 * configured; otherwise every caller trusted if {@code insecure}, else loopback callers only
 * (protected mode).
 */
public final class HeraldAuthentication {

    private static final Logger log = LoggerFactory.getLogger(HeraldAuthentication.class);

    private HeraldAuthentication() {
    }

    /**
     * The authenticator the properties describe.
     *
     * @param addressesRewritten whether the application rewrites client addresses from forwarding
     *                           headers it does not check (Spring's {@code ForwardedHeaderFilter},
     *                           {@code server.forward-headers-strategy=framework}): then a caller
     *                           could claim to be on loopback, so no caller is trusted for it
     */
    public static HeraldAuthenticator from(HeraldProperties.Auth auth, boolean addressesRewritten) {
        if (auth.isConfigured()) {
            return configured(auth);
        }
        if (auth.isInsecure()) {
            log.warn("herald.auth.insecure=true: every caller may publish and claim any user; use it only where every client is trusted");
            return HeraldAuthenticator.trusting(auth.getUserParameter());
        }
        if (addressesRewritten) {
            log.info("No authentication is configured (herald.auth.*) and client addresses come from forwarding headers, "
                    + "so every caller is anonymous");
            return HeraldAuthenticator.anonymousOnly(publicTopics(auth));
        }
        return HeraldAuthenticator.trustingLoopback(auth.getUserParameter(), publicTopics(auth));
    }

    private static HeraldAuthenticator configured(HeraldProperties.Auth auth) {
        HeraldProperties.Auth.Jwt jwt = auth.getJwt();
        Authentication.Builder builder = Authentication.builder()
                .cookieName(auth.getCookieName())
                .queryParameters(queryParameters(auth))
                .anonymous(auth.isAnonymous())
                .publicTopics(auth.getPublicTopics())
                .clockSkew(jwt.getClockSkew());
        if (jwt.getSecret() != null && !jwt.getSecret().isEmpty()) {
            builder.secret(jwt.getSecret().getBytes(StandardCharsets.UTF_8));
        }
        if (jwt.getPublicKey() != null) {
            builder.publicKey(read(jwt.getPublicKey()));
        }
        if (jwt.getJwksUri() != null) {
            builder.jwksUri(jwt.getJwksUri());
        }
        HeraldProperties.Auth.Keys publisher = jwt.getPublisher();
        if (publisher.getSecret() != null && !publisher.getSecret().isEmpty()) {
            builder.publisherSecret(publisher.getSecret().getBytes(StandardCharsets.UTF_8));
        }
        if (publisher.getPublicKey() != null) {
            builder.publisherPublicKey(read(publisher.getPublicKey()));
        }
        if (publisher.getJwksUri() != null) {
            builder.publisherJwksUri(publisher.getJwksUri());
        }
        if (jwt.getIssuer() != null) {
            builder.issuer(jwt.getIssuer());
        }
        if (jwt.getAudience() != null) {
            builder.audience(jwt.getAudience());
        }
        if (auth.getCallbackUrl() != null) {
            builder.callback(auth.getCallbackUrl(), auth.getCallbackTimeout(), auth.getCallbackCache());
        }
        return builder.build();
    }

    /** The configured query parameter and the seed's {@code token}; none when the property is empty. */
    private static List<String> queryParameters(HeraldProperties.Auth auth) {
        String name = auth.getQueryParameter();
        if (name == null || name.isBlank()) {
            return List.of();
        }
        List<String> names = new ArrayList<>();
        names.add(name.trim());
        if (!names.contains("token")) {
            names.add("token");
        }
        return names;
    }

    static List<TopicSelector> publicTopics(HeraldProperties.Auth auth) {
        return auth.getPublicTopics().stream().map(TopicSelector::parse).toList();
    }

    private static String read(java.nio.file.Path pem) {
        try {
            return Files.readString(pem, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the public key file " + pem + ": " + e.getMessage(), e);
        }
    }
}
