package dev.herald.netty;

import dev.herald.core.Hub;
import dev.herald.core.Presence;
import dev.herald.http.CorsPolicy;
import dev.herald.http.HeraldApi;
import dev.herald.http.HeraldAuthenticator;
import dev.herald.http.TrustedProxies;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.ServerChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A Netty HTTP server for a {@link Hub}: Herald's API ({@link HeraldApi}: subscribe, publish,
 * presence, ending a user's streams), the application's {@link StreamRoute}s and
 * {@link Responder}s, with the {@link ServerLimits} that keep one client from holding the server.
 * HTTP/1.1 and HTTP/2, over TLS ({@link ServerTls}: HTTP/2 by ALPN) or in clear ({@code h2c} with
 * prior knowledge); each HTTP/2 stream is served like one HTTP/1.1 exchange.
 *
 * <pre>{@code
 * HeraldNettyServer server = HeraldNettyServer.builder(hub).port(8080).build().start();
 * }</pre>
 *
 * <p>Each connection's pipeline: an address limiter, then (after TLS and ALPN, or after telling
 * {@code h2c} from HTTP/1.1, see {@link Protocols}) for HTTP/1.1 a {@link RequestTimer}, Netty's
 * HTTP codec and the {@link ExchangeHandler}, which assembles requests, asks the {@link Router}
 * what they mean and writes the answers in order; for HTTP/2 Netty's frame codec and multiplexer,
 * with an {@link ExchangeHandler} per stream.
 *
 * <p>Owns its threads ({@code herald-netty-accept}, {@code herald-netty-io-N}) and stops them in
 * {@link #close()}, after which the hub is still open: close the hub first to end its streams
 * cleanly.
 */
public final class HeraldNettyServer implements AutoCloseable {

    private static final RecvByteBufAllocator RECEIVE_BUFFERS = new AdaptiveRecvByteBufAllocator();

    private final Builder settings;
    private EventLoopGroup acceptors;
    private EventLoopGroup workers;
    private Channel server;
    private Channel redirect;
    private AddressLimiter addresses;
    private NettyTransport transport;

    private HeraldNettyServer(Builder settings) {
        this.settings = settings;
    }

    /** A server for the hub, whose API is configured on the builder. */
    public static Builder builder(Hub hub) {
        return new Builder(HeraldApi.builder(hub), null);
    }

    /** A server for an API configured already (shared with other transports). */
    public static Builder builder(HeraldApi api) {
        return new Builder(null, Objects.requireNonNull(api, "api"));
    }

    /** Binds the port (and the redirect port, if any) and starts serving; returns this server. */
    public HeraldNettyServer start() throws InterruptedException {
        transport = settings.transport.resolve();
        IoHandlerFactory io = transport.ioHandlerFactory();
        Class<? extends ServerChannel> serverChannel = transport.serverChannel();
        acceptors = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("herald-netty-accept"), io);
        workers = new MultiThreadIoEventLoopGroup(settings.ioThreads, new DefaultThreadFactory("herald-netty-io"), io);
        HeraldApi api = settings.api != null ? settings.api : settings.apiBuilder.build();
        Router router = new Router(api, settings.routes, settings.prefixRoutes, settings.responders);
        WriterExecutors writers = new WriterExecutors();
        ServerLimits limits = settings.limits;
        addresses = new AddressLimiter(limits.maxConnectionsPerAddress(), settings.proxies);
        Protocols protocols = new Protocols(router, limits, settings.proxies, writers);
        ServerTls tls = settings.tls;
        if (tls != null) {
            tls.http2(settings.http2);
        }
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(acceptors, workers)
                .channel(serverChannel)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childOption(ChannelOption.TCP_NODELAY, true)
                // One allocator for every connection (each keeps only its handle), not one apiece.
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, RECEIVE_BUFFERS)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        channel.pipeline().addLast("addresses", addresses);
                        if (tls != null) {
                            // The context current now: a certificate reloaded later serves later connections.
                            SslHandler handshake = tls.context().newHandler(channel.alloc());
                            handshake.setHandshakeTimeoutMillis(limits.requestTimeout().toMillis());
                            channel.pipeline().addLast("tls", handshake).addLast("alpn", protocols.negotiation());
                        } else if (settings.http2) {
                            channel.pipeline().addLast("sniff", protocols.sniffer());
                        } else {
                            protocols.http1(channel.pipeline(), null);
                        }
                    }
                });
        if (settings.sendBuffer > 0) {
            bootstrap.childOption(ChannelOption.SO_SNDBUF, settings.sendBuffer);
        }
        try {
            server = bootstrap.bind(new InetSocketAddress(settings.host, settings.port)).sync().channel();
            if (settings.redirectPort >= 0) {
                redirect = new ServerBootstrap().group(acceptors, workers).channel(serverChannel)
                        .childHandler(new ChannelInitializer<SocketChannel>() {
                            @Override
                            protected void initChannel(SocketChannel channel) {
                                channel.pipeline().addLast(new HttpServerCodec()).addLast(new HttpsRedirect(port()));
                            }
                        })
                        .bind(new InetSocketAddress(settings.host, settings.redirectPort)).sync().channel();
            }
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

    /** The transport the server runs on, once started: {@link NettyTransport#AUTO}'s choice resolved. */
    public NettyTransport transport() {
        return transport != null ? transport : settings.transport.resolve();
    }

    /** The port the server listens on (useful after binding port 0). */
    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** The port that redirects plain HTTP to HTTPS, or -1 if there is none. */
    public int redirectPort() {
        return redirect == null ? -1 : ((InetSocketAddress) redirect.localAddress()).getPort();
    }

    /** Whether connections are secured with TLS. */
    public boolean isSecure() {
        return settings.tls != null;
    }

    /** The TCP connections open now: streams, keep-alive connections and requests being read. */
    public int openConnections() {
        return addresses == null ? 0 : addresses.open();
    }

    /** Stops accepting, closes every channel and stops the server's threads. Safe to call twice. */
    @Override
    public void close() {
        if (server != null) {
            server.close().syncUninterruptibly();
        }
        if (redirect != null) {
            redirect.close().syncUninterruptibly();
        }
        if (settings.tls != null) {
            settings.tls.close();
        }
        if (acceptors != null) {
            acceptors.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
            workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /**
     * Configures a {@link HeraldNettyServer}. The API settings ({@link #authenticator}, {@link #cors},
     * {@link #path}...) apply when the server was made from a hub, not from a built {@link HeraldApi}.
     */
    public static final class Builder {
        private final HeraldApi.Builder apiBuilder;
        private final HeraldApi api;
        private String host = "0.0.0.0";
        private int port = 8080;
        private int ioThreads = Runtime.getRuntime().availableProcessors();
        private int sendBuffer;
        private ServerLimits limits = ServerLimits.defaults();
        private TrustedProxies proxies = TrustedProxies.none();
        private final Map<String, StreamRoute> routes = new LinkedHashMap<>();
        private final Map<String, StreamRoute> prefixRoutes = new LinkedHashMap<>();
        private final List<Responder> responders = new ArrayList<>();
        private ServerTls tls;
        private boolean http2 = true;
        private int redirectPort = -1;
        private NettyTransport transport = NettyTransport.AUTO;

        private Builder(HeraldApi.Builder apiBuilder, HeraldApi api) {
            this.apiBuilder = apiBuilder;
            this.api = api;
        }

        private HeraldApi.Builder apiSettings() {
            if (apiBuilder == null) {
                throw new IllegalStateException("this server was made from a built HeraldApi: configure the API there");
            }
            return apiBuilder;
        }

        /** The address to listen on; every interface ({@code 0.0.0.0}) by default. */
        public Builder host(String value) {
            host = Objects.requireNonNull(value);
            return this;
        }

        /** The port; 0 picks a free one. */
        public Builder port(int value) {
            port = value;
            return this;
        }

        /** The API path: GET subscribes, POST publishes. {@code /events} by default. */
        public Builder path(String value) {
            apiSettings().eventsPath(value);
            return this;
        }

        public Builder ioThreads(int value) {
            ioThreads = value;
            return this;
        }

        /** Who callers are and what they may do; trusting the {@code user} parameter by default. */
        public Builder authenticator(HeraldAuthenticator value) {
            apiSettings().authenticator(value);
            return this;
        }

        /** The largest event data accepted; sizes the request body limit. */
        public Builder maxEventBytes(long value) {
            apiSettings().maxEventBytes(value);
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
         * Lets these browser origins subscribe and publish. Without a policy, only same-origin pages
         * (and non-browser clients) may; other origins are refused with 403.
         */
        public Builder cors(CorsPolicy value) {
            apiSettings().cors(value);
            return this;
        }

        /**
         * Secures every connection with TLS; plain HTTP by default. With TLS, HTTP/2 is negotiated by
         * ALPN and HTTP/1.1 is served on the same port. The server closes it when it closes.
         */
        public Builder tls(ServerTls value) {
            tls = value;
            return this;
        }

        /**
         * Whether to speak HTTP/2: by ALPN over TLS, and with prior knowledge ({@code h2c}) on a plain
         * port, beside HTTP/1.1. True by default.
         */
        public Builder http2(boolean value) {
            http2 = value;
            return this;
        }

        /**
         * Also listens on this port (0 picks a free one) and answers every plain HTTP request there
         * with a permanent redirect (308) to the same URL on the TLS port. Needs {@link #tls}.
         */
        public Builder redirectHttpFrom(int port) {
            redirectPort = port;
            return this;
        }

        /**
         * How the event loops reach the kernel: {@link NettyTransport#AUTO} (the default) takes
         * io_uring, else epoll, else NIO, whichever this machine allows first.
         */
        public Builder transport(NettyTransport value) {
            transport = Objects.requireNonNull(value);
            return this;
        }

        /** Limits on requests and connections; {@link ServerLimits#defaults()} by default. */
        public Builder limits(ServerLimits value) {
            limits = Objects.requireNonNull(value);
            return this;
        }

        /** Proxies whose {@code X-Forwarded-For} names the client; none by default. */
        public Builder trustedProxies(TrustedProxies value) {
            proxies = Objects.requireNonNull(value);
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
         * {@link dev.herald.http.PresenceRequests}) at this path, for callers granted presence; none by default.
         */
        public Builder presence(Presence value, String atPath) {
            if (routes.containsKey(atPath)) {
                throw new IllegalArgumentException("the presence path " + atPath + " is already the path of a stream");
            }
            apiSettings().presence(value, atPath);
            return this;
        }

        /** Ends a user's streams on every node at this path ({@code DELETE ?user=U}); none by default. */
        public Builder connectionsPath(String value) {
            apiSettings().connectionsPath(value);
            return this;
        }

        /** Adds a responder for plain requests Herald does not serve (pages, health...), tried in order. */
        public Builder responder(Responder value) {
            responders.add(Objects.requireNonNull(value));
            return this;
        }

        public HeraldNettyServer build() {
            if (redirectPort >= 0 && tls == null) {
                throw new IllegalStateException("a redirect to HTTPS needs TLS");
            }
            return new HeraldNettyServer(this);
        }
    }
}
