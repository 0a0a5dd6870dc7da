package dev.herald.http.testing;

import dev.herald.core.Hub;
import java.net.URI;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;

/**
 * A running server that serves Herald's HTTP API for one {@link TransportContract} scenario: where
 * it listens, its hub, how a client speaks to it, and how to stop it. Made by a contract subclass's
 * {@link TransportContract#start start}, usually with one of the factories here:
 *
 * <pre>{@code
 * Hub running = hub.build();
 * HeraldNettyServer server = HeraldNettyServer.builder(api.toApi(running)).host("127.0.0.1").port(0).build().start();
 * return Transport.http11(URI.create("http://127.0.0.1:" + server.port()), running, server);
 * }</pre>
 *
 * <p>Called by the contract on the test's thread only.
 */
public interface Transport extends AutoCloseable {

    /** Where the server listens, without a path: {@code http://127.0.0.1:port} or {@code https://127.0.0.1:port}. */
    URI baseUri();

    /** The hub the server serves, running. */
    Hub hub();

    /**
     * The protocol every exchange with this transport must negotiate: {@link Protocol#HTTP_1_1},
     * {@link Protocol#HTTP_2} (over TLS, by ALPN) or {@link Protocol#H2_PRIOR_KNOWLEDGE} ({@code h2c}).
     * The contract fails any exchange that negotiates another, so a client that falls back to
     * HTTP/1.1 cannot make a scenario pass unnoticed.
     */
    Protocol protocol();

    /**
     * A new client builder that speaks {@link #protocol()} to this server (and trusts its certificate,
     * over TLS). Each client built from it has its own connections.
     */
    OkHttpClient.Builder newClient();

    /** Closes the hub, which ends its streams, then stops the server. Safe to call twice. */
    @Override
    void close();

    /** HTTP/1.1 in clear text. {@code server} is stopped after the hub is closed. */
    static Transport http11(URI baseUri, Hub hub, AutoCloseable server) {
        return new RunningTransport(baseUri, hub, Protocol.HTTP_1_1,
                () -> new OkHttpClient.Builder().protocols(List.of(Protocol.HTTP_1_1)), server);
    }

    /** HTTP/2 in clear text with prior knowledge ({@code h2c}): the client starts with the HTTP/2 preface. */
    static Transport h2c(URI baseUri, Hub hub, AutoCloseable server) {
        return new RunningTransport(baseUri, hub, Protocol.H2_PRIOR_KNOWLEDGE,
                () -> new OkHttpClient.Builder().protocols(List.of(Protocol.H2_PRIOR_KNOWLEDGE)), server);
    }

    /**
     * HTTP/2 over TLS, negotiated by ALPN, with a client that trusts exactly this certificate. The
     * client offers HTTP/1.1 too, as browsers do: the contract checks that HTTP/2 was chosen.
     */
    static Transport h2(URI baseUri, Hub hub, X509Certificate trusted, AutoCloseable server) {
        Objects.requireNonNull(trusted, "trusted");
        X509TrustManager trust = trustManager(trusted);
        SSLContext tls = sslContext(trust);
        return new RunningTransport(baseUri, hub, Protocol.HTTP_2,
                () -> new OkHttpClient.Builder().protocols(List.of(Protocol.HTTP_2, Protocol.HTTP_1_1))
                        .sslSocketFactory(tls.getSocketFactory(), trust), server);
    }

    /** A trust manager that trusts this certificate and nothing else. */
    private static X509TrustManager trustManager(X509Certificate certificate) {
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            store.setCertificateEntry("test", certificate);
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            return (X509TrustManager) factory.getTrustManagers()[0];
        } catch (Exception e) {
            throw new IllegalStateException("cannot make a trust manager", e);
        }
    }

    private static SSLContext sslContext(X509TrustManager trust) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {trust}, null);
            return context;
        } catch (Exception e) {
            throw new IllegalStateException("cannot make a client TLS context", e);
        }
    }
}
