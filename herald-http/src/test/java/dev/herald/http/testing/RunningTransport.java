package dev.herald.http.testing;

import dev.herald.core.Hub;
import java.net.URI;
import java.util.Objects;
import java.util.function.Supplier;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;

/** The {@link Transport} the factories make: a hub, a server to stop after it, and a client recipe. */
final class RunningTransport implements Transport {

    private final URI baseUri;
    private final Hub hub;
    private final Protocol protocol;
    private final Supplier<OkHttpClient.Builder> clients;
    private final AutoCloseable server;
    private boolean closed;

    RunningTransport(URI baseUri, Hub hub, Protocol protocol, Supplier<OkHttpClient.Builder> clients, AutoCloseable server) {
        this.baseUri = Objects.requireNonNull(baseUri, "baseUri");
        this.hub = Objects.requireNonNull(hub, "hub");
        this.protocol = protocol;
        this.clients = clients;
        this.server = Objects.requireNonNull(server, "server");
    }

    @Override
    public URI baseUri() {
        return baseUri;
    }

    @Override
    public Hub hub() {
        return hub;
    }

    @Override
    public Protocol protocol() {
        return protocol;
    }

    @Override
    public OkHttpClient.Builder newClient() {
        return clients.get();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        // The hub first: its streams end cleanly while the server can still write them.
        hub.close();
        try {
            server.close();
        } catch (Exception e) {
            throw new IllegalStateException("cannot stop the server", e);
        }
    }

    @Override
    public String toString() {
        return protocol + " at " + baseUri;
    }
}
