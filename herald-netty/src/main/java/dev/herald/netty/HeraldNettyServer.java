package dev.herald.netty;

import dev.herald.core.Hub;
import dev.herald.core.Presence;
import dev.herald.http.HeraldAuthenticator;
import dev.herald.http.PublishRequests;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A Netty HTTP server for a {@link Hub}: {@code GET}/{@code POST} on the API path, the application's
 * {@link StreamRoute}s, optional CORS, and any further handlers for everything else (404 by default).
 *
 * <pre>{@code
 * HeraldNettyServer server = HeraldNettyServer.builder(hub).port(8080).build().start();
 * }</pre>
 *
 * <p>Owns its threads ({@code herald-netty-accept}, {@code herald-netty-io-N}) and stops them in
 * {@link #close()}, after which the hub is still open: close the
 * hub first to end its streams cleanly.
 */
public final class HeraldNettyServer implements AutoCloseable {

    private final Builder settings;
    private EventLoopGroup acceptors;
    private EventLoopGroup workers;
    private Channel server;

    private HeraldNettyServer(Builder settings) {
        this.settings = settings;
    }

    public static Builder builder(Hub hub) {
        return new Builder(hub);
    }

    /** Binds the port and starts serving; returns this server. */
    public HeraldNettyServer start() throws InterruptedException {
        acceptors = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("herald-netty-accept"), NioIoHandler.newFactory());
        workers = new MultiThreadIoEventLoopGroup(settings.ioThreads, new DefaultThreadFactory("herald-netty-io"), NioIoHandler.newFactory());
        PublishRequests publishRequests = new PublishRequests();
        WriterExecutors writers = new WriterExecutors();
        int maxBody = PublishRequests.maxBodyBytes(settings.maxEventBytes);
        Map<String, StreamRoute> routes = Map.copyOf(settings.routes);
        Map<String, StreamRoute> prefixes = new LinkedHashMap<>(settings.prefixRoutes);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(acceptors, workers)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childOption(ChannelOption.TCP_NODELAY, true);
        if (settings.sendBuffer > 0) {
            bootstrap.childOption(ChannelOption.SO_SNDBUF, settings.sendBuffer);
        }
        try {
            server = bind(bootstrap, publishRequests, writers, maxBody, routes, prefixes);
        } catch (Exception e) {
            // Netty's threads are not daemons: stop them, or a failed start would keep the JVM alive.
            close();
            if (e instanceof InterruptedException interrupted) {
                throw interrupted;
            }
            throw new IllegalStateException("cannot listen on " + settings.host + ":" + settings.port + ": " + e.getMessage(), e);
        }
        return this;
    }

    private Channel bind(ServerBootstrap bootstrap, PublishRequests publishRequests, WriterExecutors writers, int maxBody, Map<String, StreamRoute> routes,
            Map<String, StreamRoute> prefixes) throws InterruptedException {
        return bootstrap
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        channel.pipeline().addLast("http", new HttpServerCodec());
                        channel.pipeline().addLast("continue", new HttpServerExpectContinueHandler());
                        channel.pipeline().addLast("herald", new HeraldHttpHandler(settings.hub, settings.authenticator, settings.path,
                                routes, prefixes, maxBody, publishRequests, settings.cors, writers, settings.presence, settings.presencePath));
                        for (Supplier<ChannelHandler> handler : settings.handlers) {
                            channel.pipeline().addLast(handler.get());
                        }
                        channel.pipeline().addLast("not-found", NotFoundHandler.INSTANCE);
                    }
                })
                .bind(new InetSocketAddress(settings.host, settings.port)).sync().channel();
    }

    /** The port the server listens on (useful after binding port 0). */
    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** Stops accepting, closes every channel and stops the server's threads. Safe to call twice. */
    @Override
    public void close() {
        if (server != null) {
            server.close().syncUninterruptibly();
        }
        if (acceptors != null) {
            acceptors.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
            workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** Configures a {@link HeraldNettyServer}. */
    public static final class Builder {
        private final Hub hub;
        private String host = "0.0.0.0";
        private int port = 8080;
        private String path = "/events";
        private int ioThreads = Runtime.getRuntime().availableProcessors();
        private HeraldAuthenticator authenticator = HeraldAuthenticator.queryParameter("user");
        private long maxEventBytes = 64 * 1024;
        private CorsPolicy cors;
        private int sendBuffer;
        private final Map<String, StreamRoute> routes = new LinkedHashMap<>();
        private final Map<String, StreamRoute> prefixRoutes = new LinkedHashMap<>();
        private final List<Supplier<ChannelHandler>> handlers = new ArrayList<>();
        private Presence presence;
        private String presencePath;

        private Builder(Hub hub) {
            this.hub = Objects.requireNonNull(hub, "hub");
        }

        public Builder host(String value) {
            host = value;
            return this;
        }

        /** The port; 0 picks a free one. */
        public Builder port(int value) {
            port = value;
            return this;
        }

        /** The API path: GET subscribes, POST publishes. {@code /events} by default. */
        public Builder path(String value) {
            path = value;
            return this;
        }

        public Builder ioThreads(int value) {
            ioThreads = value;
            return this;
        }

        public Builder authenticator(HeraldAuthenticator value) {
            authenticator = Objects.requireNonNull(value);
            return this;
        }

        /** The largest event data accepted; sizes the request body limit. */
        public Builder maxEventBytes(long value) {
            maxEventBytes = value;
            return this;
        }

        /**
         * Fixes each connection's socket send buffer (bytes); by default the operating system sizes
         * it, which on Linux lets megabytes queue for a client that stopped reading before Herald's
         * own bound applies.
         */
        public Builder socketSendBuffer(int bytes) {
            sendBuffer = bytes;
            return this;
        }

        /**
         * Lets these browser origins subscribe and publish, with credentials. Without a policy, only
         * same-origin pages (and non-browser clients) may; other origins are refused with 403.
         */
        public Builder cors(CorsPolicy value) {
            cors = value;
            return this;
        }

        /** Serves an SSE stream at exactly this path. */
        public Builder stream(String exactPath, StreamRoute route) {
            routes.put(exactPath, route);
            return this;
        }

        /** Serves an SSE stream at every path under this prefix (e.g. {@code /connect/}). */
        public Builder streamsUnder(String prefix, StreamRoute route) {
            prefixRoutes.put(prefix, route);
            return this;
        }

        /**
         * Answers presence queries ({@code GET path?topic=..} or {@code ?user=..}, see
         * {@link dev.herald.http.PresenceRequests}) at this path, if the authenticator allows; none by default.
         */
        public Builder presence(Presence value, String atPath) {
            if (atPath.equals(path) || routes.containsKey(atPath)) {
                throw new IllegalArgumentException("the presence path " + atPath + " is already the path of a stream or of the API");
            }
            presence = java.util.Objects.requireNonNull(value);
            presencePath = atPath;
            return this;
        }

        /** Adds a responder for plain requests Herald does not serve (pages, health...), tried in order. */
        public Builder responder(Responder value) {
            handlers.add(() -> new ResponderHandler(value));
            return this;
        }

        /** Adds a handler, made fresh per channel, for requests Herald does not serve. */
        public Builder handler(Supplier<ChannelHandler> value) {
            handlers.add(value);
            return this;
        }

        public HeraldNettyServer build() {
            return new HeraldNettyServer(this);
        }
    }
}
