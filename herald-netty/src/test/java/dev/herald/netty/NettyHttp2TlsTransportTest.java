package dev.herald.netty;

import dev.herald.core.Hub;
import dev.herald.http.testing.ApiSettings;
import dev.herald.http.testing.Transport;
import dev.herald.http.testing.TransportContract;
import dev.herald.netty.testing.TestCertificates;
import java.net.URI;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The transport contract on Netty over HTTP/2 and TLS (negotiated by ALPN), on OpenSSL, with a generated certificate. */
class NettyHttp2TlsTransportTest extends TransportContract {

    @TempDir
    Path directory;

    @Override
    protected Transport start(Hub.Builder hub, ApiSettings api) throws Exception {
        TestCertificates certificate = TestCertificates.write(directory, "herald-test");
        Hub running = hub.build();
        // The standalone server's send buffer (herald.limits.socket-send-buffer); with 16 KB,
        // loopback transfers ran twenty times slower here.
        HeraldNettyServer server = HeraldNettyServer.builder(api.toApi(running)).host("127.0.0.1").port(0)
                .socketSendBuffer(64 * 1024).tls(ServerTls.pem(certificate.certificate(), certificate.privateKey(), null))
                .build().start();
        return Transport.h2(URI.create("https://127.0.0.1:" + server.port()), running, certificate.x509(), server);
    }
}
