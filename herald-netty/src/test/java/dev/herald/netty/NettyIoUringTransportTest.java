package dev.herald.netty;

/**
 * The transport contract over HTTP/1.1 on io_uring: socket reads and writes submitted to the kernel in batches. Runs only where the machine allows it
 * (Linux on x86-64), and there it must: a native transport that fails to load is a failure, not a skip.
 */
class NettyIoUringTransportTest extends NettyHttp11TransportTest {

    @Override
    protected NettyTransport transport() {
        return NettyTransport.IO_URING;
    }
}
