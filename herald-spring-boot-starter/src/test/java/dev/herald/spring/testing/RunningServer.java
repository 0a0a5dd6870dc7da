package dev.herald.spring.testing;

import static org.awaitility.Awaitility.await;

import dev.herald.core.ConnectionInfo;
import dev.herald.core.Hub;
import dev.herald.core.testing.SseWireClient;
import dev.herald.core.testing.WireClients;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import org.awaitility.core.ConditionFactory;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.springframework.context.ApplicationContext;
import org.springframework.test.context.junit.jupiter.SpringExtension;

/**
 * The server of a {@code @SpringBootTest} on a real port, as its tests reach it: streams read on
 * plain sockets, HTTP requests, and waits on its hub. A test registers it as a field,
 *
 * <pre>{@code
 * @RegisterExtension
 * final RunningServer server = new RunningServer();
 * }</pre>
 *
 * and after each test it closes the streams the test opened and waits until the hub has no
 * connection left, so the next test starts from none.
 */
public final class RunningServer implements BeforeEachCallback, AfterEachCallback {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    private final Duration closing;
    private int port;
    private Hub hub;
    private WireClients clients;

    /** Waits Awaitility's default time after each test for the hub's connections to close. */
    public RunningServer() {
        this(null);
    }

    /** Waits up to {@code closing} after each test for the hub's connections to close. */
    public RunningServer(Duration closing) {
        this.closing = closing;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        ApplicationContext application = SpringExtension.getApplicationContext(context);
        port = application.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
        hub = application.getBean(Hub.class);
        clients = new WireClients(port);
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        clients.close();
        ConditionFactory waiting = closing == null ? await() : await().atMost(closing);
        try {
            waiting.until(() -> hub.stats().connections() == 0);
        } catch (ConditionTimeoutException e) {
            // Say what is left, so that a failure here can be understood from the report alone.
            System.out.println("Connections left: " + hub.connections());
            // Every thread, the writers' virtual threads included (the listing below has only platform ones).
            java.nio.file.Path dump = java.nio.file.Path.of("target", "threads-" + context.getDisplayName().replaceAll("\\W", "")
                    + "-" + System.currentTimeMillis() + ".txt").toAbsolutePath();
            ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class)
                    .dumpThreads(dump.toString(), com.sun.management.HotSpotDiagnosticMXBean.ThreadDumpFormat.TEXT_PLAIN);
            System.out.println("All threads: " + dump);
            Arrays.stream(ManagementFactory.getThreadMXBean().dumpAllThreads(true, true))
                    .filter(t -> t.getThreadName().startsWith("herald") || t.getThreadName().startsWith("http-nio"))
                    .forEach(System.out::println);
            throw e;
        }
    }

    public int port() {
        return port;
    }

    /** {@code http://127.0.0.1:port} and the path. */
    public URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + port + pathAndQuery);
    }

    /** A request to the path, to complete and {@link #send}. */
    public HttpRequest.Builder request(String pathAndQuery) {
        return HttpRequest.newBuilder(uri(pathAndQuery));
    }

    /** Sends the request (within ten seconds) and reads the response body as text. */
    public HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return HTTP.send(request.timeout(REQUEST_TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A stream read as it arrives: {@code GET pathAndQuery}, closed after the test. */
    public SseWireClient stream(String pathAndQuery) throws IOException {
        return clients.get(pathAndQuery);
    }

    /** A stream read as it arrives, requested with the extra headers; closed after the test. */
    public SseWireClient stream(String pathAndQuery, Map<String, String> headers) throws IOException {
        return clients.get(pathAndQuery, headers);
    }

    /** A stream that stops reading after its headers (see {@link SseWireClient#stalled}); closed after the test. */
    public SseWireClient stalled(String pathAndQuery) throws IOException {
        return clients.stalled(pathAndQuery);
    }

    /** Waits until the hub has exactly this many connections, all of them live. */
    public void awaitLive(int connections) {
        awaitLive(connections, await());
    }

    /** Waits up to {@code atMost} until the hub has exactly this many connections, all of them live. */
    public void awaitLive(int connections, Duration atMost) {
        awaitLive(connections, await().atMost(atMost));
    }

    private void awaitLive(int connections, ConditionFactory waiting) {
        waiting.until(() -> hub.connections().size() == connections
                && hub.connections().stream().allMatch(c -> c.state() == ConnectionInfo.State.LIVE));
    }
}
