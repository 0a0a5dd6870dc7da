package dev.herald.server;

import dev.herald.netty.NettyTransport;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** How the standalone server's Netty event loops run, under {@code herald.netty.*}. */
@ConfigurationProperties("herald.netty")
public class NettyProperties {

    /**
     * How the event loops reach the kernel: {@code auto} takes io_uring, else epoll, else NIO,
     * whichever the machine allows first (the native two need Linux on x86-64); naming a native
     * transport the machine cannot run stops the start with the reason.
     */
    private NettyTransport transport = NettyTransport.AUTO;

    /** Event-loop threads serving connections; 0 for one per available processor. */
    private int ioThreads;

    public NettyTransport getTransport() {
        return transport;
    }

    public void setTransport(NettyTransport transport) {
        this.transport = transport;
    }

    public int getIoThreads() {
        return ioThreads;
    }

    public void setIoThreads(int ioThreads) {
        this.ioThreads = ioThreads;
    }
}
