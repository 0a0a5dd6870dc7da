package dev.herald.netty;

import dev.herald.core.Hub;
import dev.herald.http.testing.ApiSettings;
import dev.herald.http.testing.Transport;
import dev.herald.http.testing.TransportContract;
import java.net.URI;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The transport contract on Netty over HTTP/1.1, on the plain port that also serves h2c, as the
 * standalone server runs; on the JDK's NIO here, and on each native transport in the subclasses.
 */
class NettyHttp11TransportTest extends TransportContract {

    /** The event loops' transport these tests run on. */
    protected NettyTransport transport() {
        return NettyTransport.NIO;
    }

    @Override
    protected Transport start(Hub.Builder hub, ApiSettings api) throws Exception {
        Hub running = hub.build();
        // The standalone server's send buffer (herald.limits.socket-send-buffer); with 16 KB,
        // loopback transfers ran twenty times slower here.
        HeraldNettyServer server = HeraldNettyServer.builder(api.toApi(running)).host("127.0.0.1").port(0)
                .socketSendBuffer(64 * 1024).transport(transport()).build().start();
        assertThat(server.transport()).isEqualTo(transport());
        return Transport.http11(URI.create("http://127.0.0.1:" + server.port()), running, server);
    }
}
