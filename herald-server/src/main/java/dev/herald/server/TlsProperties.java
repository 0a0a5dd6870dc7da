package dev.herald.server;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * TLS and HTTP/2 of the standalone server, under {@code herald.tls.*}. Give a certificate and its
 * key as PEM files (reloaded when they change, as a renewal replaces them), or the name of a
 * Spring Boot SSL bundle ({@code spring.ssl.bundle.*}); Spring Boot's own {@code server.ssl.bundle},
 * {@code server.ssl.certificate} and {@code server.ssl.certificate-private-key} work too. With TLS,
 * {@code server.port} serves HTTPS, with HTTP/2 negotiated by ALPN beside HTTP/1.1.
 */
@ConfigurationProperties("herald.tls")
public class TlsProperties {

    /** The certificate, a PEM file (it may hold the intermediate certificates after it). */
    private Path certificate;

    /** The certificate's private key, a PEM file in PKCS#8 ("BEGIN PRIVATE KEY"), unencrypted. */
    private Path privateKey;

    /** Intermediate certificates, a PEM file, when the certificate file does not hold them. */
    private Path chain;

    /** The name of a Spring Boot SSL bundle to take the key and certificate from, instead of the files. */
    private String bundle;

    /** How often the PEM files are checked for a replacement. */
    private Duration reloadInterval = Duration.ofSeconds(10);

    /** A plain-HTTP port that redirects every request to HTTPS (308); none unless set. */
    private Integer redirectPort;

    /** Whether to speak HTTP/2: by ALPN over TLS, with prior knowledge (h2c) without it. */
    private boolean http2 = true;

    public Path getCertificate() {
        return certificate;
    }

    public void setCertificate(Path certificate) {
        this.certificate = certificate;
    }

    public Path getPrivateKey() {
        return privateKey;
    }

    public void setPrivateKey(Path privateKey) {
        this.privateKey = privateKey;
    }

    public Path getChain() {
        return chain;
    }

    public void setChain(Path chain) {
        this.chain = chain;
    }

    public String getBundle() {
        return bundle;
    }

    public void setBundle(String bundle) {
        this.bundle = bundle;
    }

    public Duration getReloadInterval() {
        return reloadInterval;
    }

    public void setReloadInterval(Duration reloadInterval) {
        this.reloadInterval = reloadInterval;
    }

    public Integer getRedirectPort() {
        return redirectPort;
    }

    public void setRedirectPort(Integer redirectPort) {
        this.redirectPort = redirectPort;
    }

    public boolean isHttp2() {
        return http2;
    }

    public void setHttp2(boolean http2) {
        this.http2 = http2;
    }
}
