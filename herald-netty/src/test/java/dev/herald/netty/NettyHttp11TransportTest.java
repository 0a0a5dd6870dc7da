package dev.herald.netty;

import dev.herald.core.Hub;
import dev.herald.http.testing.ApiSettings;
import dev.herald.http.testing.Transport;
import dev.herald.http.testing.TransportContract;
import java.net.URI;

/** The transport contract on Netty over HTTP/1.1, on the plain port that also serves h2c, as the standalone server runs. */
class NettyHttp11TransportTest extends TransportContract {

    @Override
    protected Transport start(Hub.Builder hub, ApiSettings api) throws Exception {
        Hub running = hub.build();
        // The standalone server's send buffer (herald.limits.socket-send-buffer); with 16 KB,
        // loopback transfers ran twenty times slower here.
        HeraldNettyServer server = HeraldNettyServer.builder(api.toApi(running)).host("127.0.0.1").port(0)
                .socketSendBuffer(64 * 1024).build().start();
        return Transport.http11(URI.create("http://127.0.0.1:" + server.port()), running, server);
    }
}
