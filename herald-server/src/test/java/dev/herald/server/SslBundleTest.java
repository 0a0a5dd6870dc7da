package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.netty.testing.TestCertificates;
import dev.herald.netty.testing.Trusting;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** TLS from a Spring Boot SSL bundle, named the way Spring Boot applications name theirs ({@code server.ssl.bundle}). */
@SpringBootTest(properties = {"server.port=0", "herald.history.store=memory", "server.ssl.bundle=herald"})
class SslBundleTest {

    private static final TestCertificates CERTIFICATES;

    static {
        try {
            CERTIFICATES = TestCertificates.write(Files.createTempDirectory("herald-bundle"), "from-a-bundle");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @DynamicPropertySource
    static void bundle(DynamicPropertyRegistry registry) {
        registry.add("spring.ssl.bundle.pem.herald.keystore.certificate", () -> "file:" + CERTIFICATES.certificate());
        registry.add("spring.ssl.bundle.pem.herald.keystore.private-key", () -> "file:" + CERTIFICATES.privateKey());
    }

    @LocalServerPort
    int port;

    @Test
    void servesHttpsWithTheBundlesCertificate() throws Exception {
        HttpClient client = HttpClient.newBuilder().sslContext(Trusting.certificates(CERTIFICATES.x509())).build();
        try {
            HttpResponse<String> health = client.send(HttpRequest.newBuilder(URI.create("https://localhost:" + port + "/actuator/health")).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.version()).isEqualTo(HttpClient.Version.HTTP_2);
            X509Certificate served = (X509Certificate) health.sslSession().orElseThrow().getPeerCertificates()[0];
            assertThat(served.getSubjectX500Principal().getName()).isEqualTo("CN=from-a-bundle");
        } finally {
            client.shutdownNow();
        }
    }
}
