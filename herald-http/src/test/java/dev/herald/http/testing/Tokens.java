package dev.herald.http.testing;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Mints tokens for tests, with Nimbus: HS256 with a secret, RS256 and ES256 with key pairs made on
 * the spot, and the tokens an attacker would try ({@code alg: none}, HS256 "signed" with a public
 * key, a made-up algorithm).
 *
 * <pre>{@code
 * Tokens rsa = Tokens.rs256("key-1");
 * String token = rsa.token().subject("alice").subscribe("users/alice/{+path}").expiresAt(in1h).sign();
 * Authentication.builder().publicKey(rsa.publicKeyPem())...   // or serve Tokens.jwkSet(rsa) as a JWK set
 * }</pre>
 */
public final class Tokens {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final JWSAlgorithm algorithm;
    private final JWSSigner signer;
    private final JWK publicJwk;
    private final String keyId;

    private Tokens(JWSAlgorithm algorithm, JWSSigner signer, JWK publicJwk, String keyId) {
        this.algorithm = algorithm;
        this.signer = signer;
        this.publicJwk = publicJwk;
        this.keyId = keyId;
    }

    /** HS256 tokens signed with the secret (at least 32 bytes, as Nimbus insists). */
    public static Tokens hs256(byte[] secret) {
        return hmac(JWSAlgorithm.HS256, secret);
    }

    /** HS512 tokens signed with the secret (at least 64 bytes). */
    public static Tokens hs512(byte[] secret) {
        return hmac(JWSAlgorithm.HS512, secret);
    }

    private static Tokens hmac(JWSAlgorithm algorithm, byte[] secret) {
        try {
            return new Tokens(algorithm, new MACSigner(secret), null, null);
        } catch (JOSEException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** RS256 tokens with a new 2048-bit key pair, without a key id. */
    public static Tokens rs256() {
        return rs256(null);
    }

    /** RS256 tokens with a new 2048-bit key pair; the key id goes in the tokens and the JWK. */
    public static Tokens rs256(String keyId) {
        try {
            RSAKey key = new RSAKeyGenerator(2048).keyID(keyId).generate();
            return new Tokens(JWSAlgorithm.RS256, new RSASSASigner(key), key.toPublicJWK(), keyId);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** ES256 tokens with a new P-256 key pair, without a key id. */
    public static Tokens es256() {
        return es256(null);
    }

    /** ES256 tokens with a new P-256 key pair; the key id goes in the tokens and the JWK. */
    public static Tokens es256(String keyId) {
        try {
            ECKey key = new ECKeyGenerator(Curve.P_256).keyID(keyId).generate();
            return new Tokens(JWSAlgorithm.ES256, new ECDSASigner(key), key.toPublicJWK(), keyId);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Unsecured tokens: {@code alg: none}, no signature. */
    public static Tokens unsigned() {
        return new Tokens(new JWSAlgorithm("none"), null, null, null);
    }

    /**
     * HS256 tokens whose HMAC key is the text of a public key PEM: the algorithm confusion attack,
     * which fools verifiers that let the token's {@code alg} say how to use a configured key.
     */
    public static Tokens algorithmConfusion(String publicKeyPem) {
        return hs256(publicKeyPem.getBytes(StandardCharsets.US_ASCII));
    }

    /** Tokens that claim an algorithm (e.g. {@code EdDSA}, {@code HS999}) and carry random bytes for a signature. */
    public static Tokens forged(String algorithm) {
        return new Tokens(new JWSAlgorithm(algorithm), null, null, null);
    }

    /** The public key as a PEM {@code PUBLIC KEY}, for {@code Authentication.Builder#publicKey}. */
    public String publicKeyPem() {
        try {
            PublicKey key = switch (publicJwk) {
                case RSAKey rsa -> rsa.toPublicKey();
                case ECKey ec -> ec.toPublicKey();
                case null, default -> throw new IllegalStateException("no public key: these are " + algorithm + " tokens");
            };
            return "-----BEGIN PUBLIC KEY-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getEncoded())
                    + "\n-----END PUBLIC KEY-----\n";
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The public key as a JWK. */
    public JWK publicJwk() {
        if (publicJwk == null) {
            throw new IllegalStateException("no public key: these are " + algorithm + " tokens");
        }
        return publicJwk;
    }

    /** A JWK set document ({@code {"keys": [...]}}) of the public keys, for a JWK Set URL to serve. */
    public static String jwkSet(Tokens... keys) {
        List<JWK> jwks = new ArrayList<>();
        for (Tokens tokens : keys) {
            jwks.add(tokens.publicJwk());
        }
        return new JWKSet(jwks).toString();
    }

    /** Starts a token. */
    public Token token() {
        return new Token();
    }

    /** Claims and header of one token; {@link #sign} mints it. Not thread-safe. */
    public final class Token {
        private final JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder();
        private final Map<String, Object> herald = new LinkedHashMap<>();
        private Object rawHerald;
        private String kid = keyId;

        private Token() {
        }

        /** {@code sub}. */
        public Token subject(String value) {
            claims.subject(value);
            return this;
        }

        /** {@code herald.subscribe}. */
        public Token subscribe(String... selectors) {
            herald.put("subscribe", Arrays.asList(selectors));
            return this;
        }

        /** {@code herald.publish}. */
        public Token publish(String... selectors) {
            herald.put("publish", Arrays.asList(selectors));
            return this;
        }

        /** {@code herald.presence}. */
        public Token presence(boolean value) {
            herald.put("presence", value);
            return this;
        }

        /** {@code herald.admin}. */
        public Token admin(boolean value) {
            herald.put("admin", value);
            return this;
        }

        /** Sets a member of the {@code herald} claim to anything, right or wrong: {@code heraldMember("presence", "yes")}. */
        public Token heraldMember(String name, Object value) {
            herald.put(name, value);
            return this;
        }

        /** Replaces the whole {@code herald} claim, e.g. by something that is not an object. */
        public Token heraldClaim(Object value) {
            rawHerald = value;
            return this;
        }

        /** Any other claim. */
        public Token claim(String name, Object value) {
            claims.claim(name, value);
            return this;
        }

        /** {@code exp}. */
        public Token expiresAt(Instant value) {
            claims.expirationTime(Date.from(value));
            return this;
        }

        /** {@code nbf}. */
        public Token notBefore(Instant value) {
            claims.notBeforeTime(Date.from(value));
            return this;
        }

        /** {@code iss}. */
        public Token issuer(String value) {
            claims.issuer(value);
            return this;
        }

        /** {@code aud}. */
        public Token audience(String... values) {
            claims.audience(List.of(values));
            return this;
        }

        /** The header's {@code kid}, instead of the key's own. */
        public Token keyId(String value) {
            kid = value;
            return this;
        }

        /** The compact token. */
        public String sign() {
            if (rawHerald != null) {
                claims.claim("herald", rawHerald);
            } else if (!herald.isEmpty()) {
                claims.claim("herald", herald);
            }
            JWTClaimsSet claimsSet = claims.build();
            if (algorithm.getName().equals("none")) {
                return new PlainJWT(claimsSet).serialize();
            }
            JWSHeader header = new JWSHeader.Builder(algorithm).type(JOSEObjectType.JWT).keyID(kid).build();
            if (signer == null) {
                byte[] signature = new byte[64];
                RANDOM.nextBytes(signature);
                return header.toBase64URL() + "." + Base64URL.encode(claimsSet.toString()) + "." + Base64URL.encode(signature);
            }
            SignedJWT jwt = new SignedJWT(header, claimsSet);
            try {
                jwt.sign(signer);
            } catch (JOSEException e) {
                throw new IllegalStateException(e);
            }
            return jwt.serialize();
        }
    }
}
