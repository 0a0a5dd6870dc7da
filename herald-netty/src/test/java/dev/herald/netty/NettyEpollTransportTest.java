package dev.herald.netty;

/**
 * The transport contract over HTTP/1.1 on Linux's epoll, through Netty's native transport. Runs only where the machine allows it
 * (Linux on x86-64), and there it must: a native transport that fails to load is a failure, not a skip.
 */
class NettyEpollTransportTest extends NettyHttp11TransportTest {

    @Override
    protected NettyTransport transport() {
        return NettyTransport.EPOLL;
    }
}
