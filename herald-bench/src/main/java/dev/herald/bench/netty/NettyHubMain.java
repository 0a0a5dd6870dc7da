package dev.herald.bench.netty;

import dev.herald.core.ConnectionLimits;
import dev.herald.core.Hub;
import dev.herald.netty.HeraldNettyServer;
import java.util.concurrent.CountDownLatch;

/**
 * Herald on {@code herald-netty} with no Spring at all, for measuring the engine and the transport
 * without the standalone server's extras: {@code NettyHubMain PORT}.
 */
public final class NettyHubMain {

    public static void main(String[] args) throws InterruptedException {
        int port = Integer.parseInt(args[0]);
        Hub hub = Hub.builder().limits(ConnectionLimits.of(40_000, 16)).build();
        HeraldNettyServer server = HeraldNettyServer.builder(hub).host("127.0.0.1").port(port).build().start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            hub.close();
            stopped.countDown();
        }, "herald-shutdown"));
        System.out.println("Herald (netty only) listening on port " + server.port());
        stopped.await();
    }
}
