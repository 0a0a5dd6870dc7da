package dev.herald.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.core.ConnectionInfo;
import dev.herald.core.HeartbeatPolicy;
import dev.herald.core.Hub;
import dev.herald.core.Publication;
import dev.herald.netty.testing.TestCertificates;
import dev.herald.netty.testing.Trusting;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import javax.net.ssl.SSLSession;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The standalone server over TLS and HTTP/2: streams multiplexed on one connection, each with its
 * own flow control; HTTP/1.1 beside it on the same port; {@code h2c} with prior knowledge on a
 * plain port; certificates replaced without dropping open streams; plain HTTP redirected.
 */
class Http2Test {

    @TempDir
    Path directory;

    private Hub hub;
    private HeraldNettyServer server;
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        if (hub != null) {
            hub.close();
        }
        if (server != null) {
            server.close();
        }
        for (AutoCloseable closeable : open) {
            closeable.close();
        }
    }

    private TestCertificates certificates(String name) {
        return TestCertificates.write(directory, name);
    }

    private void start(ServerTls tls, Hub.Builder hubSettings, ServerLimits limits) throws Exception {
        hub = hubSettings.build();
        HeraldNettyServer.Builder builder = HeraldNettyServer.builder(hub).host("127.0.0.1").port(0).limits(limits);
        if (tls != null) {
            builder.tls(tls).redirectHttpFrom(0);
        }
        server = builder.build().start();
    }

    private static Hub.Builder hubSettings() {
        return Hub.builder().heartbeat(HeartbeatPolicy.disabled()).maxDataBytes(16 * 1024);
    }

    private HttpClient client(X509Certificate trusted, HttpClient.Version version) {
        HttpClient client = HttpClient.newBuilder().version(version).sslContext(Trusting.certificates(trusted))
                .connectTimeout(Duration.ofSeconds(5)).build();
        open.add(client::shutdownNow); // close() would wait for open streams to end
        return client;
    }

    private URI https(String pathAndQuery) {
        return URI.create("https://localhost:" + server.port() + pathAndQuery);
    }

    private void awaitLive(int connections) {
        await().until(() -> hub.connections().size() == connections
                && hub.connections().stream().allMatch(c -> c.state() == ConnectionInfo.State.LIVE));
    }

    /**
     * Makes the client's HTTP/2 connection before the requests that share it: the JDK's client
     * opens a connection per request while none is established yet.
     */
    private void connect(HttpClient client) throws Exception {
        HttpResponse<Void> first = client.send(HttpRequest.newBuilder(https("/nothing")).build(), HttpResponse.BodyHandlers.discarding());
        assertThat(first.version()).isEqualTo(HttpClient.Version.HTTP_2);
    }

    /** Reads a stream's event data lines on a virtual thread, as they come. */
    private static List<String> collect(HttpResponse<Stream<String>> response) {
        List<String> data = new CopyOnWriteArrayList<>();
        Thread.ofVirtual().start(() -> response.body().filter(line -> line.startsWith("data: "))
                .forEach(line -> data.add(line.substring(6))));
        return data;
    }

    @Test
    void aHundredStreamsShareOneHttp2ConnectionAndEachReceivesEveryEventInOrder() throws Exception {
        TestCertificates certificates = certificates("herald-test");
        start(ServerTls.pem(certificates.certificate(), certificates.privateKey(), null), hubSettings(), ServerLimits.defaults());
        HttpClient client = client(certificates.x509(), HttpClient.Version.HTTP_2);
        connect(client);

        List<CompletableFuture<HttpResponse<Stream<String>>>> opening = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            opening.add(client.sendAsync(HttpRequest.newBuilder(https("/events?topic=news")).build(), HttpResponse.BodyHandlers.ofLines()));
        }
        List<List<String>> streams = new ArrayList<>();
        for (CompletableFuture<HttpResponse<Stream<String>>> response : opening) {
            HttpResponse<Stream<String>> stream = response.get();
            assertThat(stream.version()).isEqualTo(HttpClient.Version.HTTP_2);
            assertThat(stream.headers().firstValue("content-type")).hasValue("text/event-stream");
            assertThat(stream.headers().firstValue("connection")).isEmpty();
            streams.add(collect(stream));
        }
        awaitLive(100);
        assertThat(server.openConnections()).as("one TCP connection for every stream").isEqualTo(1);

        List<String> published = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            hub.publish(Publication.to("news").data("e" + i).build());
            published.add("e" + i);
        }

        await().until(() -> streams.stream().allMatch(s -> s.size() == 50));
        for (List<String> stream : streams) {
            assertThat(stream).containsExactlyElementsOf(published);
        }
    }

    @Test
    void tlsRunsOnOpenSslWhereItLoads() throws Exception {
        TestCertificates certificates = certificates("herald-test");
        ServerTls tls = ServerTls.pem(certificates.certificate(), certificates.privateKey(), null);

        assertThat(tls.provider()).isEqualTo("OpenSSL");
        assertThat(tls.jdkOnly().provider()).isEqualTo("JDK");
    }

    @Test
    void publishesAndProblemsTravelOverHttp2AsOverHttp11() throws Exception {
        publishesAndProblemsTravelOverHttp2AsOverHttp11(false);
    }

    @Test
    void theJdksTlsServesHttp2AsWell() throws Exception {
        publishesAndProblemsTravelOverHttp2AsOverHttp11(true);
    }

    private void publishesAndProblemsTravelOverHttp2AsOverHttp11(boolean jdk) throws Exception {
        TestCertificates certificates = certificates("herald-test");
        ServerTls tls = ServerTls.pem(certificates.certificate(), certificates.privateKey(), null);
        start(jdk ? tls.jdkOnly() : tls, hubSettings(), ServerLimits.defaults());

        for (HttpClient.Version version : List.of(HttpClient.Version.HTTP_2, HttpClient.Version.HTTP_1_1)) {
            HttpClient client = client(certificates.x509(), version);
            HttpResponse<String> created = client.send(HttpRequest.newBuilder(https("/events")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"topic\":\"t\",\"data\":\"over " + version + "\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> missing = client.send(HttpRequest.newBuilder(https("/nothing")).build(), HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> refused = client.send(HttpRequest.newBuilder(https("/events")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"topic\":\"t\",\"type\":\"a\\nb\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(created.version()).isEqualTo(version);
            assertThat(created.statusCode()).isEqualTo(201);
            assertThat(missing.statusCode()).isEqualTo(404);
            assertThat(missing.headers().firstValue("content-type")).hasValue("application/problem+json");
            assertThat(refused.statusCode()).isEqualTo(400);
            assertThat(refused.body()).contains("urn:herald:problem:invalid-event");
        }
        assertThat(hub.eventLog().readAfter(0, 10).events()).extracting(e -> e.data())
                .containsExactly("over HTTP_2", "over HTTP_1_1");
    }

    @Test
    void aStalledStreamOnASharedConnectionIsDroppedAloneWhileItsSiblingsReceiveEverything() throws Exception {
        TestCertificates certificates = certificates("herald-test");
        start(ServerTls.pem(certificates.certificate(), certificates.privateKey(), null),
                hubSettings().queueCapacity(64), ServerLimits.defaults());
        HttpClient client = client(certificates.x509(), HttpClient.Version.HTTP_2);
        connect(client);
        // A subscriber that takes the first piece of the body and then nothing more: the client
        // stops opening its window, so the server's stream stops being writable.
        AtomicInteger stalledPieces = new AtomicInteger();
        client.sendAsync(HttpRequest.newBuilder(https("/events?topic=firehose")).build(), info -> HttpResponse.BodySubscribers
                .fromSubscriber(new Flow.Subscriber<List<ByteBuffer>>() {
                    @Override
                    public void onSubscribe(Flow.Subscription subscription) {
                        subscription.request(1);
                    }

                    @Override
                    public void onNext(List<ByteBuffer> item) {
                        stalledPieces.incrementAndGet();
                    }

                    @Override
                    public void onError(Throwable throwable) {
                    }

                    @Override
                    public void onComplete() {
                    }
                }));
        List<List<String>> readers = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            readers.add(collect(client.send(HttpRequest.newBuilder(https("/events?topic=firehose")).build(),
                    HttpResponse.BodyHandlers.ofLines())));
        }
        awaitLive(6);
        assertThat(server.openConnections()).isEqualTo(1);
        String payload = "x".repeat(8 * 1024);

        int events = 0;
        for (int round = 0; round < 800 && hub.stats().slowDisconnects() == 0; round++) {
            for (int i = 0; i < 16; i++) {
                hub.publish(Publication.to("firehose").data(payload).build());
                events++;
            }
            int expected = events;
            await().until(() -> readers.stream().allMatch(r -> r.size() == expected));
        }

        assertThat(hub.stats().slowDisconnects()).as("the stalled stream was dropped").isEqualTo(1);
        hub.publish(Publication.to("firehose").data("after").build());
        await().until(() -> readers.stream().allMatch(r -> !r.isEmpty() && r.getLast().equals("after")));
        assertThat(hub.stats().connections()).isEqualTo(5);
        assertThat(server.openConnections()).as("the connection the siblings share stays open").isEqualTo(1);
    }

    @Test
    void h2cWithPriorKnowledgeIsServedOnThePlainPortBesideHttp11() throws Exception {
        start(null, hubSettings(), ServerLimits.defaults());
        OkHttpClient h2c = new OkHttpClient.Builder().protocols(List.of(Protocol.H2_PRIOR_KNOWLEDGE)).build();
        String base = "http://127.0.0.1:" + server.port();

        try (okhttp3.Response stream = h2c.newCall(new okhttp3.Request.Builder().url(base + "/events?topic=news").build()).execute()) {
            assertThat(stream.protocol()).isEqualTo(Protocol.H2_PRIOR_KNOWLEDGE);
            assertThat(stream.code()).isEqualTo(200);
            awaitLive(1);
            HttpResponse<String> created = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/events"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"topic\":\"news\",\"data\":\"hi\"}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(created.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
            assertThat(created.statusCode()).isEqualTo(201);
            String line;
            List<String> lines = new ArrayList<>();
            while ((line = stream.body().source().readUtf8Line()) != null && !line.equals("data: hi")) {
                lines.add(line);
            }
            assertThat(line).isEqualTo("data: hi");
        } finally {
            h2c.dispatcher().executorService().shutdown();
            h2c.connectionPool().evictAll();
        }
    }

    @Test
    void aReplacedCertificateServesNewConnectionsWhileOpenStreamsGoOn() throws Exception {
        TestCertificates first = certificates("first");
        ServerTls tls = ServerTls.pem(first.certificate(), first.privateKey(), null);
        start(tls.reloadEvery(Duration.ofMillis(100)), hubSettings(), ServerLimits.defaults());
        HttpClient before = client(first.x509(), HttpClient.Version.HTTP_2);
        HttpResponse<Stream<String>> stream = before.send(HttpRequest.newBuilder(https("/events?topic=news")).build(),
                HttpResponse.BodyHandlers.ofLines());
        List<String> received = collect(stream);
        awaitLive(1);

        TestCertificates second = certificates("second"); // written over the same files
        Files.setLastModifiedTime(second.certificate(), java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000));
        HttpClient after = client(second.x509(), HttpClient.Version.HTTP_2);
        await().until(() -> {
            try {
                after.send(HttpRequest.newBuilder(https("/nothing")).build(), HttpResponse.BodyHandlers.discarding());
                return true;
            } catch (java.io.IOException stillTheFirst) {
                return false;
            }
        });
        HttpResponse<String> fresh = after.send(HttpRequest.newBuilder(https("/nothing")).build(), HttpResponse.BodyHandlers.ofString());
        SSLSession session = fresh.sslSession().orElseThrow();
        assertThat(((X509Certificate) session.getPeerCertificates()[0]).getSubjectX500Principal().getName()).isEqualTo("CN=second");

        hub.publish(Publication.to("news").data("still here").build());
        await().until(() -> received.contains("still here"));
        assertThat(((X509Certificate) stream.sslSession().orElseThrow().getPeerCertificates()[0]).getSubjectX500Principal().getName())
                .isEqualTo("CN=first");
    }

    @Test
    void plainHttpIsRedirectedToHttps() throws Exception {
        TestCertificates certificates = certificates("herald-test");
        start(ServerTls.pem(certificates.certificate(), certificates.privateKey(), null), hubSettings(), ServerLimits.defaults());

        HttpResponse<String> redirect = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://localhost:" + server.redirectPort() + "/events?topic=a%2Fb")).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(redirect.statusCode()).isEqualTo(308);
        assertThat(redirect.headers().firstValue("location")).hasValue("https://localhost:" + server.port() + "/events?topic=a%2Fb");
    }

    @Test
    void tlsOffersOnlyModernProtocolsAndHttp2CiphersAndHandshakesBothVersions() throws Exception {
        TestCertificates certificates = certificates("herald-test");
        ServerTls tls = ServerTls.pem(certificates.certificate(), certificates.privateKey(), null);
        start(tls, hubSettings(), ServerLimits.defaults());

        javax.net.ssl.SSLEngine engine = tls.context().newEngine(io.netty.buffer.ByteBufAllocator.DEFAULT);
        // (OpenSSL's engine also lists SSLv2Hello: a ClientHello format, never a protocol it speaks.)
        assertThat(engine.getEnabledProtocols()).filteredOn(protocol -> !protocol.equals("SSLv2Hello"))
                .containsExactlyInAnyOrder("TLSv1.3", "TLSv1.2");
        assertThat(engine.getEnabledCipherSuites()).allMatch(suite -> suite.startsWith("TLS_AES") || suite.startsWith("TLS_CHACHA20")
                || suite.contains("_ECDHE_") && (suite.contains("_GCM_") || suite.contains("CHACHA20")));
        for (String protocol : List.of("TLSv1.3", "TLSv1.2")) {
            javax.net.ssl.SSLContext context = Trusting.certificates(certificates.x509());
            try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) context.getSocketFactory().createSocket("localhost", server.port())) {
                socket.setEnabledProtocols(new String[] {protocol});
                socket.setSoTimeout(5000);
                socket.startHandshake();
                assertThat(socket.getSession().getProtocol()).isEqualTo(protocol);
            }
        }
    }
}
