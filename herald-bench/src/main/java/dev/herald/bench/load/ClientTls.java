package dev.herald.bench.load;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.nio.file.Path;
import javax.net.ssl.SSLException;

/**
 * The load generator's TLS: it trusts the server's certificate and nothing else, checks that the
 * certificate names the host it connects to, and offers one application protocol by ALPN, so the
 * server cannot settle on another. On OpenSSL (BoringSSL, {@code netty-tcnative}) when it loads, as
 * the server does, so that the load generator's share of the two cores stays small; the JDK's TLS
 * otherwise.
 */
final class ClientTls {

    private ClientTls() {
    }

    /**
     * A client context.
     *
     * @param certificate the server's certificate, PEM
     * @param alpn        the one protocol to offer: {@code h2} or {@code http/1.1}
     */
    static SslContext context(Path certificate, String alpn) {
        SslProvider provider = OpenSsl.isAvailable() && SslProvider.isAlpnSupported(SslProvider.OPENSSL)
                ? SslProvider.OPENSSL : SslProvider.JDK;
        try {
            return SslContextBuilder.forClient().sslProvider(provider).trustManager(certificate.toFile())
                    .endpointIdentificationAlgorithm("HTTPS")
                    .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, alpn))
                    .build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot set up TLS trusting " + certificate + ": " + e.getMessage(), e);
        }
    }
}
