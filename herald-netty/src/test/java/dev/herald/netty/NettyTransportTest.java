package dev.herald.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Naming a transport, and what {@code auto} resolves to. */
class NettyTransportTest {

    @Test
    void namesAreReadAsUsersWriteThem() {
        assertThat(NettyTransport.of("io_uring")).isEqualTo(NettyTransport.IO_URING);
        assertThat(NettyTransport.of(" io-uring ")).isEqualTo(NettyTransport.IO_URING);
        assertThat(NettyTransport.of("EPOLL")).isEqualTo(NettyTransport.EPOLL);
        assertThat(NettyTransport.of("nio")).isEqualTo(NettyTransport.NIO);
        assertThat(NettyTransport.of("auto")).isEqualTo(NettyTransport.AUTO);
        assertThatThrownBy(() -> NettyTransport.of("kqueue"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("kqueue").hasMessageContaining("auto, io_uring, epoll or nio");
    }

    @Test
    void autoTakesTheFirstTransportThisMachineCanRun() {
        NettyTransport chosen = NettyTransport.AUTO.resolve();
        NettyTransport expected = NettyTransport.IO_URING.isAvailable() ? NettyTransport.IO_URING
                : NettyTransport.EPOLL.isAvailable() ? NettyTransport.EPOLL : NettyTransport.NIO;
        assertThat(chosen).isEqualTo(expected);
        assertThat(chosen.isAvailable()).isTrue();
        assertThat(chosen.unavailabilityCause()).isNull();
        assertThat(NettyTransport.NIO.resolve()).isEqualTo(NettyTransport.NIO);
    }

    @Test
    void aNamedTransportThatCannotRunSaysWhy() {
        for (NettyTransport transport : NettyTransport.values()) {
            if (!transport.isAvailable()) {
                assertThatThrownBy(transport::resolve).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining(transport.label()).hasMessageContaining("use auto or nio");
            } else {
                assertThat(transport.resolve()).isNotEqualTo(NettyTransport.AUTO);
            }
        }
    }
}
