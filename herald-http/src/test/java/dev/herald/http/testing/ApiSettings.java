package dev.herald.http.testing;

import dev.herald.core.Hub;
import dev.herald.core.Presence;
import dev.herald.http.CorsPolicy;
import dev.herald.http.HeraldApi;
import dev.herald.http.HeraldAuthenticator;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The HTTP API settings a {@link TransportContract} scenario asks a transport for, as plain values
 * so that every transport can apply them its own way: a Netty server through {@link #toApi(Hub)},
 * a Spring application through its properties and beans (named with each component). The events
 * path is always {@code /events}, the default everywhere. Immutable.
 *
 * @param authenticator   who callers are (the {@code HeraldAuthenticator} bean)
 * @param corsOrigins     origins allowed to call from a browser, with credentials; none: same
 *                        origin only ({@code herald.cors.allowed-origins})
 * @param maxEventBytes   the largest event data accepted ({@code herald.max-event-size}); the hub
 *                        the contract passes has the same limit
 * @param publishRate     events a second one publisher may publish, 0 for no limit
 *                        ({@code herald.limits.publish-rate})
 * @param publishBurst    the burst of {@code publishRate} ({@code herald.limits.publish-burst})
 * @param presencePath    where presence is answered, the hub's own connections counted
 *                        ({@link Presence#local}); {@code null} for nowhere ({@code herald.endpoint.presence-path})
 * @param connectionsPath where {@code DELETE ?user=U} ends U's streams; {@code null} for nowhere
 *                        ({@code herald.endpoint.connections-path})
 * @param mercurePath     where the Mercure protocol is served, anonymous subscribers allowed;
 *                        {@code null} for nowhere ({@code herald.mercure.path})
 * @param mercureSubscriptions whether Mercure's active subscriptions are tracked, on this hub alone
 *                        ({@link Presence#local}), closed streams noticed within 100 ms
 *                        ({@code herald.mercure.subscriptions})
 */
public record ApiSettings(HeraldAuthenticator authenticator, List<String> corsOrigins, long maxEventBytes,
        double publishRate, double publishBurst, String presencePath, String connectionsPath, String mercurePath,
        boolean mercureSubscriptions) {

    public ApiSettings {
        Objects.requireNonNull(authenticator, "authenticator");
        corsOrigins = List.copyOf(corsOrigins);
    }

    /**
     * Herald's defaults, except that every caller is trusted as the {@code user} parameter names
     * ({@link HeraldAuthenticator#trusting}): what a loopback caller gets from a server without
     * authentication configured.
     */
    public static ApiSettings defaults() {
        return new ApiSettings(HeraldAuthenticator.trusting("user"), List.of(), 64 * 1024, 0, 0, null, null, null, false);
    }

    public ApiSettings withAuthenticator(HeraldAuthenticator value) {
        return new ApiSettings(value, corsOrigins, maxEventBytes, publishRate, publishBurst, presencePath, connectionsPath, mercurePath, mercureSubscriptions);
    }

    public ApiSettings withCorsOrigins(List<String> value) {
        return new ApiSettings(authenticator, value, maxEventBytes, publishRate, publishBurst, presencePath, connectionsPath, mercurePath, mercureSubscriptions);
    }

    public ApiSettings withMaxEventBytes(long value) {
        return new ApiSettings(authenticator, corsOrigins, value, publishRate, publishBurst, presencePath, connectionsPath, mercurePath, mercureSubscriptions);
    }

    public ApiSettings withPublishRate(double perSecond, double burst) {
        return new ApiSettings(authenticator, corsOrigins, maxEventBytes, perSecond, burst, presencePath, connectionsPath, mercurePath, mercureSubscriptions);
    }

    public ApiSettings withPresencePath(String value) {
        return new ApiSettings(authenticator, corsOrigins, maxEventBytes, publishRate, publishBurst, value, connectionsPath, mercurePath, mercureSubscriptions);
    }

    public ApiSettings withConnectionsPath(String value) {
        return new ApiSettings(authenticator, corsOrigins, maxEventBytes, publishRate, publishBurst, presencePath, value, mercurePath, mercureSubscriptions);
    }

    public ApiSettings withMercurePath(String value) {
        return new ApiSettings(authenticator, corsOrigins, maxEventBytes, publishRate, publishBurst, presencePath, connectionsPath, value, mercureSubscriptions);
    }

    public ApiSettings withMercureSubscriptions(boolean value) {
        return new ApiSettings(authenticator, corsOrigins, maxEventBytes, publishRate, publishBurst, presencePath, connectionsPath,
                mercurePath, value);
    }

    /** The API of this hub with these settings, for transports that take a built {@link HeraldApi}. */
    public HeraldApi toApi(Hub hub) {
        HeraldApi.Builder api = HeraldApi.builder(hub)
                .authenticator(authenticator)
                .cors(corsOrigins.isEmpty() ? CorsPolicy.sameOriginOnly() : CorsPolicy.allow(corsOrigins))
                .maxEventBytes(maxEventBytes)
                .publishRate(publishRate, publishBurst)
                .connectionsPath(connectionsPath);
        if (presencePath != null) {
            api.presence(Presence.local(hub), presencePath);
        }
        if (mercurePath != null) {
            api.mercure(mercurePath, true);
            if (mercureSubscriptions) {
                api.mercureSubscriptions(Presence.local(hub), Duration.ofMillis(100));
            }
        }
        return api.build();
    }
}
