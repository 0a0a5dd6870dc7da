package dev.herald.netty;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import java.util.Locale;

/**
 * How the server's event loops talk to the kernel. {@link #IO_URING} submits many socket writes in
 * one system call, {@link #EPOLL} waits on Linux's epoll directly (edge-triggered, fewer copies than
 * the JDK's selector), {@link #NIO} runs everywhere. {@link #AUTO}, the default, takes the first of
 * these the machine allows: the native ones need Linux on x86-64 with their libraries loadable, and
 * io_uring a kernel (and a container seccomp profile) that permits it.
 */
public enum NettyTransport {

    AUTO,
    IO_URING,
    EPOLL,
    NIO;

    /** The transport named {@code auto}, {@code io_uring} (or {@code io-uring}), {@code epoll} or {@code nio}. */
    public static NettyTransport of(String name) {
        String normalized = name.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        try {
            return valueOf(normalized);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown Netty transport '" + name + "': use auto, io_uring, epoll or nio", e);
        }
    }

    /** Whether this machine can run the transport ({@link #AUTO} always can). */
    public boolean isAvailable() {
        return switch (this) {
            case AUTO, NIO -> true;
            case IO_URING -> Native.IO_URING.available();
            case EPOLL -> Native.EPOLL.available();
        };
    }

    /** Why this transport cannot run here, or {@code null} when it can. */
    public Throwable unavailabilityCause() {
        return switch (this) {
            case AUTO, NIO -> null;
            case IO_URING -> Native.IO_URING.available() ? null : Native.IO_URING.cause();
            case EPOLL -> Native.EPOLL.available() ? null : Native.EPOLL.cause();
        };
    }

    /**
     * The transport to run: this one, or for {@link #AUTO} the first available of io_uring, epoll
     * and NIO.
     *
     * @throws IllegalStateException when a native transport is named and cannot run here
     */
    public NettyTransport resolve() {
        if (this == AUTO) {
            return IO_URING.isAvailable() ? IO_URING : EPOLL.isAvailable() ? EPOLL : NIO;
        }
        if (!isAvailable()) {
            Throwable cause = unavailabilityCause();
            throw new IllegalStateException("the " + label() + " transport cannot run here"
                    + (cause == null ? "" : ": " + cause) + "; use auto or nio", cause);
        }
        return this;
    }

    /** The name users write: {@code io_uring}, {@code epoll}, {@code nio}, {@code auto}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    IoHandlerFactory ioHandlerFactory() {
        return switch (resolve()) {
            case IO_URING -> IoUringIoHandler.newFactory();
            case EPOLL -> EpollIoHandler.newFactory();
            default -> NioIoHandler.newFactory();
        };
    }

    Class<? extends ServerChannel> serverChannel() {
        return switch (resolve()) {
            case IO_URING -> IoUringServerSocketChannel.class;
            case EPOLL -> EpollServerSocketChannel.class;
            default -> NioServerSocketChannel.class;
        };
    }

    /**
     * The native libraries, asked once and only when needed: a class missing from the class path
     * (a trimmed distribution) makes the transport unavailable rather than failing the server.
     */
    private enum Native {
        IO_URING, EPOLL;

        private volatile Boolean available;
        private volatile Throwable cause;

        boolean available() {
            Boolean known = available;
            if (known == null) {
                try {
                    known = this == IO_URING ? IoUring.isAvailable() : Epoll.isAvailable();
                    cause = known ? null : this == IO_URING ? IoUring.unavailabilityCause() : Epoll.unavailabilityCause();
                } catch (LinkageError e) {
                    known = false;
                    cause = e;
                }
                available = known;
            }
            return known;
        }

        Throwable cause() {
            available();
            return cause;
        }
    }
}
