package dev.herald.server;

import dev.herald.core.Hub;
import dev.herald.core.Presence;
import dev.herald.http.HeraldAuthenticator;
import dev.herald.netty.CorsPolicy;
import dev.herald.netty.HeraldNettyServer;
import dev.herald.server.demo.SeedDemos;
import dev.herald.server.web.ActuatorHandler;
import dev.herald.server.web.StaticFiles;
import dev.herald.spring.boot.HeraldProperties;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.stereotype.Component;

/**
 * Runs the Netty server while the application runs. It starts after the hub and stops after it:
 * the hub's own lifecycle ends every stream first, then this closes the port and Netty's threads.
 */
@Component
public class NettyServerLifecycle implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(NettyServerLifecycle.class);

    private final Hub hub;
    private final HeraldProperties properties;
    private final HeraldAuthenticator authenticator;
    private final ObjectProvider<SeedDemos> demos;
    private final ObjectProvider<PrometheusMeterRegistry> prometheus;
    private final ConfigurableEnvironment environment;
    private final Presence presence;
    private volatile HeraldNettyServer server;

    public NettyServerLifecycle(Hub hub, HeraldProperties properties, HeraldAuthenticator authenticator,
            ObjectProvider<SeedDemos> demos, ObjectProvider<PrometheusMeterRegistry> prometheus,
            ConfigurableEnvironment environment, Presence presence) {
        this.hub = hub;
        this.presence = presence;
        this.properties = properties;
        this.authenticator = authenticator;
        this.demos = demos;
        this.prometheus = prometheus;
        this.environment = environment;
    }

    @Override
    public void start() {
        int port = environment.getProperty("server.port", Integer.class, 8080);
        String address = environment.getProperty("server.address", "0.0.0.0");
        HeraldNettyServer.Builder builder = HeraldNettyServer.builder(hub)
                .host(address)
                .port(port)
                .path(properties.getEndpoint().getPath())
                .authenticator(authenticator)
                .maxEventBytes(properties.getMaxEventSize().toBytes());
        if (!properties.getCors().getAllowedOrigins().isEmpty()) {
            builder.cors(new CorsPolicy(properties.getCors().getAllowedOrigins(), properties.getCors().getMaxAge()));
        }
        demos.ifAvailable(seed -> seed.register(builder));
        String presencePath = properties.getEndpoint().getPresencePath();
        if (presencePath != null && !presencePath.isBlank()) {
            builder.presence(presence, presencePath.trim());
        }
        PrometheusMeterRegistry registry = prometheus.getIfAvailable();
        builder.responder(new ActuatorHandler(hub, registry));
        builder.responder(new StaticFiles());
        try {
            server = builder.build().start();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while binding port " + port, e);
        } catch (RuntimeException e) {
            throw new IllegalStateException("Port " + port + " was already in use, or could not be bound: " + e.getMessage(), e);
        }
        // Lets tests read the bound port the usual way (@LocalServerPort).
        environment.getPropertySources().addFirst(new MapPropertySource("herald.server.ports",
                Map.of("local.server.port", server.port())));
        log.info("Herald listening on port {} (API at {})", server.port(), properties.getEndpoint().getPath());
    }

    @Override
    public void stop() {
        HeraldNettyServer running = server;
        server = null;
        if (running != null) {
            hub.close(); // ends the streams cleanly if the hub's own lifecycle has not yet
            running.close();
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
}
