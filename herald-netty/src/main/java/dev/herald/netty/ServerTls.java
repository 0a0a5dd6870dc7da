package dev.herald.netty;

import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's TLS: its certificate and key, and how connections are secured. Each new connection
 * takes the context current at that moment, so replacing the certificate (a renewal) never drops
 * an open stream: connections made before keep theirs, new ones get the new one.
 *
 * <ul>
 *   <li>{@link #pem}: PEM files (a certificate, optionally followed by or beside its chain, and a
 *       PKCS#8 private key), read again whenever they change once {@link #reloadEvery} says how
 *       often to look (on a thread of its own, {@code herald-tls-reload}).</li>
 *   <li>{@link #keyManagers}: a key manager factory from elsewhere (a Spring Boot SSL bundle);
 *       call {@link #reload()} when it changes.</li>
 * </ul>
 *
 * Defaults: TLS 1.3 and 1.2 only, the cipher suites HTTP/2 allows (forward-secret AEAD suites,
 * RFC 7540 appendix A), ALPN offering {@code h2} then {@code http/1.1}. OpenSSL (BoringSSL, from
 * {@code netty-tcnative}) when it is on the class path and loads, the JDK's TLS otherwise.
 * Thread-safe; {@link #close()} stops the reload thread.
 */
public final class ServerTls implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ServerTls.class);

    private final Supplier<SslContextBuilder> source;
    private final List<Path> watched;
    private final AtomicReference<SslContext> current = new AtomicReference<>();
    private final AtomicReference<List<FileStamp>> stamps = new AtomicReference<>(List.of());
    private volatile boolean http2 = true;
    private volatile boolean jdkOnly;
    private volatile SslProvider provider;
    private ScheduledExecutorService watcher;

    private ServerTls(Supplier<SslContextBuilder> source, List<Path> watched) {
        this.source = source;
        this.watched = List.copyOf(watched);
    }

    /**
     * TLS from PEM files, reloaded when they change.
     *
     * @param certificate the certificate (may be followed by its chain in the same file)
     * @param privateKey  its private key, PKCS#8 ({@code -----BEGIN PRIVATE KEY-----}), unencrypted
     * @param chain       the intermediate certificates, or {@code null} when the certificate file has them
     * @throws IllegalArgumentException if the files cannot be read as a certificate and its key
     */
    public static ServerTls pem(Path certificate, Path privateKey, Path chain) {
        Objects.requireNonNull(certificate, "certificate");
        Objects.requireNonNull(privateKey, "privateKey");
        List<Path> files = new ArrayList<>(List.of(certificate, privateKey));
        if (chain != null) {
            files.add(chain);
        }
        ServerTls tls = new ServerTls(() -> {
            try (InputStream certificates = certificates(certificate, chain); InputStream key = Files.newInputStream(privateKey)) {
                return SslContextBuilder.forServer(certificates, key);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read the TLS files " + files + ": " + e.getMessage(), e);
            }
        }, files);
        tls.reload();
        return tls;
    }

    /** TLS with keys from a key manager factory (a Spring Boot SSL bundle); {@link #reload()} takes a new one. */
    public static ServerTls keyManagers(Supplier<KeyManagerFactory> keys) {
        Objects.requireNonNull(keys, "keys");
        ServerTls tls = new ServerTls(() -> SslContextBuilder.forServer(keys.get()), List.of());
        tls.reload();
        return tls;
    }

    private static InputStream certificates(Path certificate, Path chain) throws IOException {
        byte[] leaf = Files.readAllBytes(certificate);
        if (chain == null) {
            return new ByteArrayInputStream(leaf);
        }
        // A certificate file need not end with a line break; the chain must start on a new line.
        return new SequenceInputStream(new ByteArrayInputStream(leaf),
                new SequenceInputStream(new ByteArrayInputStream(new byte[] {'\n'}), new ByteArrayInputStream(Files.readAllBytes(chain))));
    }

    /** Whether connections may negotiate HTTP/2 ({@code h2}) by ALPN; true unless turned off by the server. */
    ServerTls http2(boolean value) {
        http2 = value;
        reload();
        return this;
    }

    /** Uses the JDK's TLS even where OpenSSL is available; for tests of that path. */
    ServerTls jdkOnly() {
        jdkOnly = true;
        reload();
        return this;
    }

    /** The context new connections take now. */
    SslContext context() {
        return current.get();
    }

    /** Which TLS implementation serves connections: {@code OpenSSL} or {@code JDK}. */
    public String provider() {
        return provider == SslProvider.JDK ? "JDK" : "OpenSSL";
    }

    /**
     * Builds the context again from its source (the files, the key managers) and makes it the one
     * new connections take. Open connections keep theirs.
     *
     * @throws IllegalArgumentException if the source cannot be read; the previous context stays in use
     */
    public void reload() {
        List<FileStamp> before = FileStamp.of(watched);
        SslContext next = build(source.get());
        current.set(next);
        stamps.set(before);
    }

    private SslContext build(SslContextBuilder builder) {
        SslProvider chosen = !jdkOnly && OpenSsl.isAvailable() && SslProvider.isAlpnSupported(SslProvider.OPENSSL)
                ? SslProvider.OPENSSL : SslProvider.JDK;
        List<String> protocols = http2
                ? List.of(ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1)
                : List.of(ApplicationProtocolNames.HTTP_1_1);
        try {
            SslContext context = builder.sslProvider(chosen)
                    .protocols("TLSv1.3", "TLSv1.2")
                    .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                    .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, protocols))
                    .build();
            provider = chosen;
            return context;
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot set up TLS: " + e.getMessage(), e);
        }
    }

    /**
     * Checks the files for changes at this interval and reloads them when they change (a renewal);
     * for {@link #pem} only. Returns this.
     */
    public ServerTls reloadEvery(java.time.Duration interval) {
        if (watched.isEmpty() || watcher != null) {
            return this;
        }
        long millis = Math.max(10, interval.toMillis());
        watcher = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("herald-tls-reload").daemon(true).factory());
        watcher.scheduleWithFixedDelay(this::reloadIfChanged, millis, millis, TimeUnit.MILLISECONDS);
        return this;
    }

    private void reloadIfChanged() {
        try {
            if (FileStamp.of(watched).equals(stamps.get())) {
                return;
            }
            reload();
            log.info("TLS certificate reloaded from {}; new connections use it", watched.getFirst());
        } catch (RuntimeException e) {
            // A renewal caught halfway (a key written before its certificate) fails; the next check retries.
            log.warn("TLS files changed but cannot be used yet ({}); the previous certificate stays in use", e.getMessage());
        }
    }

    /** Stops watching the files. Safe to call twice. */
    @Override
    public void close() {
        if (watcher != null) {
            watcher.shutdownNow();
        }
    }

    /** What is known of a file without reading it: enough to notice a replacement. */
    private record FileStamp(Path path, long modified, long size) {
        static List<FileStamp> of(List<Path> paths) {
            List<FileStamp> stamps = new ArrayList<>();
            for (Path path : paths) {
                try {
                    stamps.add(new FileStamp(path, Files.getLastModifiedTime(path).toMillis(), Files.size(path)));
                } catch (IOException e) {
                    stamps.add(new FileStamp(path, -1, -1));
                }
            }
            return stamps;
        }
    }
}
