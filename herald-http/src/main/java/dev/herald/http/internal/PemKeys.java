package dev.herald.http.internal;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.X509CertUtils;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.EdECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.List;

/**
 * Reads a PEM public key into a Nimbus {@link JWK}. The PEM armor and the DER inside are read by
 * the JDK ({@link KeyFactory}): Nimbus's own PEM parser needs Bouncy Castle, a large dependency
 * for what the JDK already does; everything JOSE (the JWK, the verification) stays with Nimbus.
 */
public final class PemKeys {

    private static final String BEGIN_KEY = "-----BEGIN PUBLIC KEY-----";
    private static final String END_KEY = "-----END PUBLIC KEY-----";

    private PemKeys() {
    }

    /**
     * The public key of a PEM {@code PUBLIC KEY} (X.509 SubjectPublicKeyInfo: RSA or EC P-256,
     * P-384, P-521) or {@code CERTIFICATE}.
     *
     * @throws IllegalArgumentException if the text is neither, or holds an Ed25519 key (EdDSA is not
     *                                  supported: Nimbus verifies it with Google Tink, which Herald
     *                                  does not ship)
     */
    public static JWK publicKey(String pem) {
        if (pem == null || pem.isBlank()) {
            throw new IllegalArgumentException("the public key is empty; expected a PEM \"PUBLIC KEY\"");
        }
        String text = pem.strip();
        if (text.startsWith("-----BEGIN CERTIFICATE-----")) {
            X509Certificate certificate = X509CertUtils.parse(text);
            if (certificate == null) {
                throw new IllegalArgumentException("the PEM certificate cannot be read");
            }
            return jwk(certificate.getPublicKey());
        }
        if (text.startsWith("-----BEGIN RSA PUBLIC KEY-----")) {
            throw new IllegalArgumentException("a PKCS#1 \"RSA PUBLIC KEY\" is not supported; convert it to a \"PUBLIC KEY\" "
                    + "with: openssl rsa -RSAPublicKey_in -in key.pem -pubout");
        }
        if (!text.startsWith(BEGIN_KEY) || !text.endsWith(END_KEY)) {
            throw new IllegalArgumentException("expected a PEM public key, from \"" + BEGIN_KEY + "\" to \"" + END_KEY + "\"");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(text.substring(BEGIN_KEY.length(), text.length() - END_KEY.length()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the PEM public key is not valid base64");
        }
        X509EncodedKeySpec spec = new X509EncodedKeySpec(der);
        // The DER names its algorithm, but the JDK has no factory that reads it: try each in turn.
        for (String algorithm : List.of("RSA", "EC", "Ed25519", "Ed448")) {
            try {
                return jwk(KeyFactory.getInstance(algorithm).generatePublic(spec));
            } catch (GeneralSecurityException e) {
                // not this algorithm
            }
        }
        throw new IllegalArgumentException("the PEM public key is not an RSA, EC or Ed25519 key");
    }

    private static JWK jwk(PublicKey key) {
        return switch (key) {
            case RSAPublicKey rsa -> new RSAKey.Builder(rsa).build();
            case ECPublicKey ec -> {
                Curve curve = Curve.forECParameterSpec(ec.getParams());
                if (curve == null) {
                    throw new IllegalArgumentException("the EC public key is on a curve JWS does not use; expected P-256, P-384 or P-521");
                }
                yield new ECKey.Builder(curve, ec).build();
            }
            case EdECPublicKey ed -> throw new IllegalArgumentException("EdDSA (" + ed.getParams().getName()
                    + ") keys are not supported: Nimbus JOSE+JWT verifies them with Google Tink, which Herald does not ship");
            default -> throw new IllegalArgumentException("a " + key.getAlgorithm() + " public key cannot verify tokens");
        };
    }
}
