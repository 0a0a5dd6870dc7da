package dev.herald.core.testing;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The wire clients a test opened against one server, so they can all be closed afterwards. */
public final class WireClients implements AutoCloseable {

    private final int port;
    private final List<SseWireClient> open = new ArrayList<>();

    public WireClients(int port) {
        this.port = port;
    }

    /** A reading client for {@code GET pathAndQuery}. */
    public SseWireClient get(String pathAndQuery) throws IOException {
        return get(pathAndQuery, Map.of());
    }

    public SseWireClient get(String pathAndQuery, Map<String, String> headers) throws IOException {
        return keep(SseWireClient.get(port, pathAndQuery, headers));
    }

    /** A client that stops reading after the headers; see {@link SseWireClient#stalled}. */
    public SseWireClient stalled(String pathAndQuery) throws IOException {
        return keep(SseWireClient.stalled(port, pathAndQuery));
    }

    private SseWireClient keep(SseWireClient client) {
        open.add(client);
        return client;
    }

    /** Closes every client opened so far. */
    @Override
    public void close() throws IOException {
        for (SseWireClient client : open) {
            client.close();
        }
        open.clear();
    }
}
