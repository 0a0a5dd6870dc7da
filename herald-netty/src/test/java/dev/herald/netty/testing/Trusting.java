package dev.herald.netty.testing;

import java.security.KeyStore;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/** Client TLS that trusts exactly the given test certificates, for the JDK's HTTP client and OkHttp. */
public final class Trusting {

    private Trusting() {
    }

    /** An SSL context whose trust store holds these certificates and nothing else. */
    public static SSLContext certificates(X509Certificate... certificates) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {trustManager(certificates)}, null);
            return context;
        } catch (Exception e) {
            throw new IllegalStateException("cannot make a client TLS context", e);
        }
    }

    /** A trust manager that trusts these certificates and nothing else (OkHttp wants it beside the socket factory). */
    public static X509TrustManager trustManager(X509Certificate... certificates) {
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            for (int i = 0; i < certificates.length; i++) {
                store.setCertificateEntry("test-" + i, certificates[i]);
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            return (X509TrustManager) trust.getTrustManagers()[0];
        } catch (Exception e) {
            throw new IllegalStateException("cannot make a trust manager", e);
        }
    }
}
