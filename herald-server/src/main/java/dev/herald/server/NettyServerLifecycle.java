package dev.herald.server;

import dev.herald.core.Hub;
import dev.herald.http.HeraldApi;
import dev.herald.http.TrustedProxies;
import dev.herald.netty.HeraldNettyServer;
import dev.herald.netty.ServerTls;
import dev.herald.netty.ServerLimits;
import dev.herald.server.dashboard.Dashboard;
import dev.herald.server.demo.SeedDemos;
import dev.herald.server.web.ActuatorHandler;
import dev.herald.server.web.ActuatorBeans;
import dev.herald.server.web.ManagementServer;
import dev.herald.server.web.StaticFiles;
import dev.herald.spring.boot.HeraldProperties;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.endpoint.web.WebServerNamespace;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.stereotype.Component;

/**
 * Runs the Netty server while the application runs. It starts after the hub and stops after it:
 * the hub's own lifecycle ends every stream first, then this closes the port and Netty's threads.
 *
 * <p>Secure by default, like Redis's protected mode: with no authentication configured
 * ({@code herald.auth.*}) and {@code herald.auth.insecure} false, the server listens on the
 * loopback interface only, and refuses to start if {@code server.address} asks for another.
 */
@Component
public class NettyServerLifecycle implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(NettyServerLifecycle.class);

    private final Hub hub;
    private final HeraldApi api;
    private final HeraldProperties properties;
    private final TrustedProxies proxies;
    private final ObjectProvider<SeedDemos> demos;
    private final ObjectProvider<PrometheusMeterRegistry> prometheus;
    private final ConfigurableEnvironment environment;
    private final TlsProperties tlsProperties;
    private final NettyProperties nettyProperties;
    private final ObjectProvider<SslBundles> sslBundles;
    private final ActuatorBeans actuator;
    private final ObjectProvider<Dashboard> dashboard;
    private volatile HeraldNettyServer server;
    private volatile ManagementServer management;

    public NettyServerLifecycle(Hub hub, HeraldApi api, HeraldProperties properties, TrustedProxies proxies,
            ObjectProvider<SeedDemos> demos, ObjectProvider<PrometheusMeterRegistry> prometheus, ConfigurableEnvironment environment,
            TlsProperties tlsProperties, NettyProperties nettyProperties, ObjectProvider<SslBundles> sslBundles, ActuatorBeans actuator, ObjectProvider<Dashboard> dashboard) {
        this.dashboard = dashboard;
        this.actuator = actuator;
        this.tlsProperties = tlsProperties;
        this.nettyProperties = nettyProperties;
        this.sslBundles = sslBundles;
        this.hub = hub;
        this.api = api;
        this.properties = properties;
        this.proxies = proxies;
        this.demos = demos;
        this.prometheus = prometheus;
        this.environment = environment;
    }

    @Override
    public void start() {
        int port = environment.getProperty("server.port", Integer.class, 8080);
        String address = listenAddress();
        HeraldProperties.Limits limits = properties.getLimits();
        HeraldNettyServer.Builder builder = HeraldNettyServer.builder(api)
                .host(address)
                .port(port)
                .trustedProxies(proxies)
                .transport(nettyProperties.getTransport())
                .socketSendBuffer((int) Math.min(Integer.MAX_VALUE, limits.getSocketSendBuffer().toBytes()))
                .limits(new ServerLimits((int) limits.getMaxRequestLine().toBytes(), (int) limits.getMaxHeaderSize().toBytes(),
                        limits.getMaxQueryParameters(), limits.getRequestTimeout(), limits.getIdleTimeout(),
                        limits.getMaxConnectionsPerAddress(), limits.getMaxConcurrentStreams()));
        if (nettyProperties.getIoThreads() > 0) {
            builder.ioThreads(nettyProperties.getIoThreads());
        }
        ServerTls tls = tls();
        builder.http2(tlsProperties.isHttp2());
        if (tls != null) {
            builder.tls(tls);
            if (tlsProperties.getRedirectPort() != null) {
                builder.redirectHttpFrom(tlsProperties.getRedirectPort());
            }
        }
        SeedDemos seeds = demos.getIfAvailable();
        if (seeds != null) {
            seeds.register(builder);
        }
        Integer managementPort = environment.getProperty("management.server.port", Integer.class);
        // As in Spring Boot: another port (0 for a free one) serves Actuator alone; -1 turns it off.
        boolean separateManagement = managementPort != null && managementPort >= 0 && (managementPort == 0 || managementPort != port);
        ActuatorHandler actuatorHandler = managementPort != null && managementPort < 0 ? null
                : actuator.handler(api, prometheus.getIfAvailable(), separateManagement ? WebServerNamespace.MANAGEMENT : WebServerNamespace.SERVER);
        if (actuatorHandler != null && !separateManagement) {
            builder.responder(actuatorHandler);
        }
        dashboard.ifAvailable(live -> live.register(builder));
        if (seeds != null) {
            // The pages are demos too: with the demos off, nothing but the API and health is served.
            builder.responder(new StaticFiles(api.mercurePath()));
        }
        try {
            server = builder.build().start();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while binding port " + port, e);
        } catch (RuntimeException e) {
            throw new IllegalStateException("Port " + port + " was already in use, or could not be bound: " + e.getMessage(), e);
        }
        Map<String, Object> ports = new java.util.HashMap<>(Map.of("local.server.port", server.port()));
        if (separateManagement && actuatorHandler != null) {
            String managementAddress = environment.getProperty("management.server.address", address);
            try {
                management = ManagementServer.start(managementAddress, managementPort, actuatorHandler);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while binding the management port " + managementPort, e);
            } catch (RuntimeException e) {
                server.close();
                throw new IllegalStateException("Management port " + managementPort + " could not be bound: " + e.getMessage(), e);
            }
            ports.put("local.management.port", management.port());
            log.info("Actuator on the management port {}:{}", managementAddress, management.port());
        }
        // Lets tests read the bound ports the usual way (@LocalServerPort, @LocalManagementPort).
        environment.getPropertySources().addFirst(new MapPropertySource("herald.server.ports", ports));
        log.info("Herald listening on {}:{} ({}, API at {}, Netty transport {})", address, server.port(), tls == null
                ? (tlsProperties.isHttp2() ? "HTTP/1.1 and h2c" : "HTTP/1.1")
                : "HTTPS: " + (tlsProperties.isHttp2() ? "HTTP/2 and HTTP/1.1" : "HTTP/1.1") + ", TLS by " + tls.provider(),
                properties.getEndpoint().getPath(), server.transport().label());
        if (server.redirectPort() >= 0) {
            log.info("Plain HTTP on port {} redirects to HTTPS", server.redirectPort());
        }
    }

    /**
     * The server's TLS, from {@code herald.tls.*} or else Spring Boot's {@code server.ssl.*}; null
     * for none. A key store (JKS, PKCS#12) is refused rather than ignored.
     */
    private ServerTls tls() {
        String bundle = tlsProperties.getBundle() != null ? tlsProperties.getBundle() : environment.getProperty("server.ssl.bundle");
        Path certificate = tlsProperties.getCertificate();
        Path key = tlsProperties.getPrivateKey();
        Path chain = tlsProperties.getChain();
        if (certificate == null && bundle == null && environment.getProperty("server.ssl.certificate") != null) {
            certificate = Path.of(environment.getProperty("server.ssl.certificate").replaceFirst("^file:", ""));
            String keyFile = environment.getProperty("server.ssl.certificate-private-key");
            key = keyFile == null ? null : Path.of(keyFile.replaceFirst("^file:", ""));
        }
        if (environment.getProperty("server.ssl.key-store") != null && certificate == null && bundle == null) {
            throw new IllegalStateException("server.ssl.key-store is not supported by Herald's server: give a PEM certificate "
                    + "(herald.tls.certificate and herald.tls.private-key) or an SSL bundle (herald.tls.bundle)");
        }
        if (bundle != null) {
            SslBundles bundles = sslBundles.getIfAvailable();
            if (bundles == null) {
                throw new IllegalStateException("herald.tls.bundle=" + bundle + " but no SSL bundles are configured (spring.ssl.bundle.*)");
            }
            String name = bundle;
            ServerTls fromBundle = ServerTls.keyManagers(() -> bundles.getBundle(name).getManagers().getKeyManagerFactory());
            bundles.addBundleUpdateHandler(name, updated -> {
                fromBundle.reload();
                log.info("TLS certificate reloaded from SSL bundle {}; new connections use it", name);
            });
            return fromBundle;
        }
        if (certificate == null) {
            if (key != null) {
                throw new IllegalStateException("herald.tls.private-key is set without herald.tls.certificate");
            }
            return null;
        }
        if (key == null) {
            throw new IllegalStateException("herald.tls.certificate is set without herald.tls.private-key");
        }
        return ServerTls.pem(certificate, key, chain).reloadEvery(tlsProperties.getReloadInterval());
    }

    /**
     * Where to listen: {@code server.address}, or every interface; only loopback while no
     * authentication is configured, unless {@code herald.auth.insecure} says every caller is trusted.
     */
    private String listenAddress() {
        String requested = environment.getProperty("server.address");
        HeraldProperties.Auth auth = properties.getAuth();
        if (auth.isConfigured() || auth.isInsecure()) {
            return requested == null || requested.isBlank() ? "0.0.0.0" : requested;
        }
        if (requested == null || requested.isBlank()) {
            log.info("No authentication is configured, so Herald listens on 127.0.0.1 only and trusts its local callers. To serve "
                    + "other machines, set a token secret (HERALD_AUTH_JWT_SECRET, or herald.auth.jwt.* / herald.auth.callback-url), "
                    + "or herald.auth.insecure=true to trust every caller; see docs/SECURITY.md.");
            return "127.0.0.1";
        }
        if (!isLoopback(requested)) {
            throw new IllegalStateException("server.address=" + requested + " would let other machines publish and read any user's "
                    + "events, because no authentication is configured. Set a token secret (HERALD_AUTH_JWT_SECRET, or "
                    + "herald.auth.jwt.* / herald.auth.callback-url), or herald.auth.insecure=true to trust every caller.");
        }
        return requested;
    }

    private static boolean isLoopback(String address) {
        try {
            return InetAddress.getByName(address).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    @Override
    public void stop() {
        HeraldNettyServer running = server;
        server = null;
        if (running != null) {
            hub.close(); // ends the streams cleanly if the hub's own lifecycle has not yet
            running.close();
        }
        ManagementServer managing = management;
        management = null;
        if (managing != null) {
            managing.close();
        }
    }

    @Override
    public boolean isRunning() {
        return server != null;
    }

    /** Below the hub's phase, so the hub stops (ending its streams) before the port closes. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 1024;
    }

    /** The bound port. */
    public int port() {
        return server.port();
    }

    /** The transport the event loops run on ({@code herald.netty.transport}, {@code auto} resolved). */
    public dev.herald.netty.NettyTransport transport() {
        return server.transport();
    }
}
