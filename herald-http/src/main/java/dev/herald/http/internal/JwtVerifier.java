package dev.herald.http.internal;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.BadJWSException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSKeySelector;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.EncryptedJWT;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.nimbusds.jwt.proc.ExpiredJWTException;
import com.nimbusds.jwt.proc.JWTClaimsSetVerifier;
import dev.herald.http.AuthenticationRequiredException;
import dev.herald.http.AuthenticationUnavailableException;
import java.security.Key;
import java.text.ParseException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Verifies JWTs against one set of keys (an HMAC secret, a public key, a JWK Set URL, any of them)
 * with Nimbus JOSE+JWT, and says in a few words why a token is refused.
 *
 * <p>Only the algorithm families of the configured keys are accepted: {@code HS*} with a secret
 * (those its length allows), {@code RS*}/{@code PS*} with an RSA key, the {@code ES*} of its curve
 * with an EC key, {@code RS*}, {@code PS*} and {@code ES*} from a JWK set. So an {@code HS256}
 * token "signed" with a public key (algorithm confusion) is refused before any key is chosen, as
 * are {@code alg: none} and encrypted tokens. EdDSA is not accepted: Nimbus verifies it with Google
 * Tink, which Herald does not ship.
 *
 * <p>Claims: {@code exp} and {@code nbf} are checked when present, with the clock skew; {@code iss}
 * must equal the issuer and {@code aud} contain the audience, when these are set. Header
 * {@code typ} may be absent, {@code JWT} or {@code at+jwt}.
 *
 * <p>Threading: thread-safe. Blocks only when a {@link RemoteJwkSet} must fetch.
 */
public final class JwtVerifier {

    private static final DefaultJOSEObjectTypeVerifier<Context> TYPES =
            new DefaultJOSEObjectTypeVerifier<>(JOSEObjectType.JWT, new JOSEObjectType("at+jwt"), null);

    private final Set<JWSAlgorithm> algorithms;
    private final DefaultJWTProcessor<Context> processor = new DefaultJWTProcessor<>();
    private final RemoteJwkSet remote;

    /**
     * A verifier for tokens signed by any of these keys; at least one is needed.
     *
     * @param secret    an HMAC secret of at least 32 bytes, or {@code null}
     * @param publicKey an RSA or EC public key, or {@code null}
     * @param remote    a JWK set, or {@code null}
     * @param issuer    the {@code iss} required, or {@code null}
     * @param audience  the value {@code aud} must contain, or {@code null}
     * @param clockSkew the leeway for {@code exp} and {@code nbf}
     * @param clock     what "now" is
     */
    public JwtVerifier(byte[] secret, JWK publicKey, RemoteJwkSet remote, String issuer, String audience,
            Duration clockSkew, InstantSource clock) {
        // One Nimbus selector per key, each with the algorithms that key type (and length, or curve) is for.
        List<ConfiguredKey> configured = new ArrayList<>();
        if (secret != null) {
            // HS384 and HS512 need longer secrets than HS256: accept only what this one is long enough for.
            configured.add(new ConfiguredKey(MACVerifier.getCompatibleAlgorithms(secret.length * 8), new OctetSequenceKey.Builder(secret).build()));
        }
        if (publicKey != null) {
            configured.add(new ConfiguredKey(algorithmsOf(publicKey), publicKey));
        }
        Set<JWSAlgorithm> accepted = new LinkedHashSet<>();
        configured.forEach(key -> accepted.addAll(key.algorithms));
        JWSVerificationKeySelector<SecurityContext> fromSet = null;
        if (remote != null) {
            Set<JWSAlgorithm> remoteAlgorithms = new LinkedHashSet<>(JWSAlgorithm.Family.RSA);
            remoteAlgorithms.addAll(JWSAlgorithm.Family.EC);
            fromSet = new JWSVerificationKeySelector<>(remoteAlgorithms, remote);
            accepted.addAll(remoteAlgorithms);
        }
        if (accepted.isEmpty()) {
            throw new IllegalArgumentException("no keys to verify tokens with");
        }
        this.algorithms = Set.copyOf(accepted);
        this.remote = remote;
        processor.setJWSTypeVerifier(TYPES);
        processor.setJWSKeySelector(new KeySelector(List.copyOf(configured), fromSet));
        processor.setJWTClaimsSetVerifier(new ClaimsVerifier(issuer, audience, clockSkew, clock));
    }

    /** Whether verifying may block: the keys come from a JWK Set URL. */
    public boolean blocks() {
        return remote != null;
    }

    /**
     * The verified claims of a token.
     *
     * @throws AuthenticationRequiredException    if the token is not valid, saying why without
     *                                            repeating it
     * @throws AuthenticationUnavailableException if its keys are a JWK set that cannot be fetched
     */
    public JWTClaimsSet verify(String token) {
        JWT jwt;
        try {
            jwt = JWTParser.parse(token);
        } catch (ParseException e) {
            throw refused("the token is malformed");
        }
        SignedJWT signed = switch (jwt) {
            case PlainJWT plain -> throw refused("unsecured tokens (alg \"none\") are not accepted");
            case EncryptedJWT encrypted -> throw refused("encrypted tokens are not accepted");
            case SignedJWT s -> s;
            default -> throw refused("the token is malformed");
        };
        JWSHeader header = signed.getHeader();
        if (!algorithms.contains(header.getAlgorithm())) {
            boolean known = JWSAlgorithm.Family.SIGNATURE.contains(header.getAlgorithm()) || JWSAlgorithm.Family.HMAC_SHA.contains(header.getAlgorithm());
            throw refused(known ? "tokens signed with " + header.getAlgorithm().getName() + " are not accepted here"
                    : "the token's algorithm is not accepted");
        }
        Context context = new Context();
        try {
            // The processor checks this too, but its refusal would not say what was wrong.
            TYPES.verify(header.getType(), context);
        } catch (BadJOSEException e) {
            throw refused("the token's type (typ) is not accepted");
        }
        try {
            return processor.process(signed, context);
        } catch (ClaimsRejected e) {
            throw refused(e.getMessage());
        } catch (BadJWTException e) {
            throw refused("the token's claims are malformed");
        } catch (BadJWSException e) {
            throw unavailableOr(context, "the token's signature does not verify");
        } catch (BadJOSEException e) {
            throw unavailableOr(context, header.getKeyID() != null ? "no key matches the token's key id (kid)" : "no key matches the token");
        } catch (KeySourceException e) {
            throw new AuthenticationUnavailableException("the keys to verify the token with are unavailable: " + e.getMessage());
        } catch (JOSEException e) {
            throw refused("the token cannot be verified with the configured keys");
        }
    }

    private static RuntimeException unavailableOr(Context context, String reason) {
        // The JWK set could not be fetched and no configured key verified the token: maybe the set's would have.
        if (context.unavailable != null) {
            return new AuthenticationUnavailableException("the keys to verify the token with are unavailable: " + context.unavailable.getMessage());
        }
        return refused(reason);
    }

    private static AuthenticationRequiredException refused(String reason) {
        return new AuthenticationRequiredException(reason);
    }

    private static Set<JWSAlgorithm> algorithmsOf(JWK key) {
        return switch (key) {
            case RSAKey rsa -> JWSAlgorithm.Family.RSA;
            case ECKey ec -> {
                Set<JWSAlgorithm> forCurve = new LinkedHashSet<>();
                for (JWSAlgorithm algorithm : JWSAlgorithm.Family.EC) {
                    if (Curve.forJWSAlgorithm(algorithm).contains(ec.getCurve())) {
                        forCurve.add(algorithm);
                    }
                }
                yield forCurve;
            }
            default -> throw new IllegalArgumentException("a " + key.getKeyType() + " key cannot verify tokens");
        };
    }

    /**
     * A configured key (a secret, a PEM key), chosen for the token's algorithm whatever the
     * {@code kid} or certificate thumbprint the token names: it has neither, and Nimbus's matcher
     * would otherwise skip it for every token that names one.
     */
    private static final class ConfiguredKey extends JWSVerificationKeySelector<SecurityContext> {
        private final Set<JWSAlgorithm> algorithms;

        ConfiguredKey(Set<JWSAlgorithm> algorithms, JWK key) {
            super(algorithms, new ImmutableJWKSet<>(new JWKSet(key)));
            this.algorithms = Set.copyOf(algorithms);
        }

        @Override
        protected JWKMatcher createJWKMatcher(JWSHeader header) {
            JWKMatcher matcher = super.createJWKMatcher(header);
            return matcher == null ? null
                    : new JWKMatcher.Builder(matcher).keyIDs((Set<String>) null).x509CertSHA256Thumbprints((Set<Base64URL>) null).build();
        }
    }

    /** One verification's state: whether the JWK set was unreachable. */
    private static final class Context implements SecurityContext {
        private KeySourceException unavailable;
    }

    /** The configured keys that fit the token, then those of the JWK set that fit it. */
    private record KeySelector(List<ConfiguredKey> configured, JWSVerificationKeySelector<SecurityContext> fromSet)
            implements JWSKeySelector<Context> {

        @Override
        public List<? extends Key> selectJWSKeys(JWSHeader header, Context context) throws KeySourceException {
            List<Key> selected = new ArrayList<>();
            for (ConfiguredKey key : configured) {
                selected.addAll(key.selectJWSKeys(header, context));
            }
            if (fromSet != null && fromSet.isAllowed(header.getAlgorithm())) {
                try {
                    selected.addAll(fromSet.selectJWSKeys(header, context));
                } catch (KeySourceException e) {
                    if (selected.isEmpty()) {
                        throw e;
                    }
                    // A configured key may still verify the token; if none does, this is why (503, not 401).
                    context.unavailable = e;
                }
            }
            return selected;
        }
    }

    /** A claims check that failed, with the reason to give the caller. */
    private static final class ClaimsRejected extends BadJWTException {
        ClaimsRejected(String reason) {
            super(reason);
        }
    }

    /**
     * Checks time, issuer and audience with one Nimbus verifier each, so that the refusal can say
     * which it was.
     */
    private static final class ClaimsVerifier implements JWTClaimsSetVerifier<Context> {
        private final DefaultJWTClaimsVerifier<Context> time;
        private final DefaultJWTClaimsVerifier<Context> issuer;
        private final DefaultJWTClaimsVerifier<Context> audience;

        ClaimsVerifier(String issuer, String audience, Duration clockSkew, InstantSource clock) {
            this.time = clocked(null, null, clockSkew, clock);
            this.issuer = issuer == null ? null : clocked(null, new JWTClaimsSet.Builder().issuer(issuer).build(), clockSkew, clock);
            this.audience = audience == null ? null : clocked(Set.of(audience), null, clockSkew, clock);
        }

        private static DefaultJWTClaimsVerifier<Context> clocked(Set<String> audiences, JWTClaimsSet exactMatch, Duration skew,
                InstantSource clock) {
            Set<String> required = exactMatch != null ? exactMatch.getClaims().keySet() : Set.of();
            DefaultJWTClaimsVerifier<Context> verifier = new DefaultJWTClaimsVerifier<>(audiences, exactMatch, required, null) {
                @Override
                protected Date currentTime() {
                    return Date.from(clock.instant());
                }
            };
            verifier.setMaxClockSkew((int) Math.min(Integer.MAX_VALUE, skew.toSeconds()));
            return verifier;
        }

        @Override
        public void verify(JWTClaimsSet claims, Context context) throws BadJWTException {
            try {
                time.verify(claims, context);
            } catch (ExpiredJWTException e) {
                throw new ClaimsRejected("the token expired");
            } catch (BadJWTException e) {
                throw new ClaimsRejected("the token is not valid yet");
            }
            if (issuer != null) {
                try {
                    issuer.verify(claims, context);
                } catch (BadJWTException e) {
                    throw new ClaimsRejected("the token's issuer (iss) is not accepted");
                }
            }
            if (audience != null) {
                try {
                    audience.verify(claims, context);
                } catch (BadJWTException e) {
                    throw new ClaimsRejected("the token's audience (aud) is not accepted");
                }
            }
        }
    }
}
