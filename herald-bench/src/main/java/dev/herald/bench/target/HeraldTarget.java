package dev.herald.bench.target;

import dev.herald.bench.load.ServerProbe;
import dev.herald.netty.testing.TestCertificates;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The standalone server as users run it: {@code java -jar herald-server.jar}, on Netty, with the
 * demos off, the connection limit raised above the largest scenario and, unless
 * {@code --herald-args} says otherwise (another store, or cluster mode), the in-memory history (the fan-out figures measure the
 * hub, not the disk; {@code --herald-args=--herald.history.store=h2} measures the default). With TLS, as the README sets it up:
 * a self-signed EC P-256 certificate for {@code localhost} and {@code 127.0.0.1} made for the run, in PEM files
 * ({@code --herald.tls.certificate}, {@code --herald.tls.private-key}); the port then serves HTTP/2 by ALPN and HTTP/1.1.
 */
public final class HeraldTarget extends ProcessTarget implements HeraldApi {

    private final Path jar;
    private final List<String> jvm;
    private final List<String> args;
    private final boolean tls;

    /** In clear: HTTP/1.1, and h2c for clients that start with HTTP/2's preface. */
    public HeraldTarget(Path jar, int port, Path work, List<String> jvm, List<String> args) {
        this(jar, port, work, jvm, args, false);
    }

    /** Over TLS (HTTP/2 by ALPN, and HTTP/1.1) if {@code tls}, else in clear. */
    public HeraldTarget(Path jar, int port, Path work, List<String> jvm, List<String> args, boolean tls) {
        super(port, work);
        this.jar = jar.toAbsolutePath();
        this.jvm = jvm;
        this.args = args;
        this.tls = tls;
    }

    /**
     * Reads the JVM's memory by kind too, with its direct buffers from {@code /actuator/prometheus}
     * when in clear (over TLS, Native Memory Tracking's "Other" stands in, with {@code --nmt}).
     */
    @Override
    public ServerProbe probe() {
        return ServerProbe.jvm(pid(), tls ? null : URI.create("http://127.0.0.1:" + port + "/actuator/prometheus"));
    }

    @Override
    public Optional<Path> certificate() {
        return tls ? Optional.of(tlsDirectory().resolve("certificate.pem")) : Optional.empty();
    }

    private Path tlsDirectory() {
        return work.toAbsolutePath().resolve("tls");
    }

    @Override
    protected List<String> command() {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing; build it with ./mvnw -DskipTests package");
        }
        List<String> command = new ArrayList<>(List.of(java()));
        command.addAll(jvm);
        command.addAll(List.of("-jar", jar.toString(), "--server.port=" + port, "--server.address=127.0.0.1",
                "--herald.demo.enabled=false", "--herald.max-connections=40000",
                "--herald.data-dir=" + work.toAbsolutePath().resolve("data")));
        if (args.stream().noneMatch(arg -> arg.startsWith("--herald.history.store=") || arg.startsWith("--herald.redis.url="))) {
            command.add("--herald.history.store=memory");
        }
        if (tls) {
            TestCertificates certificates = TestCertificates.write(tlsDirectory(), "localhost");
            command.add("--herald.tls.certificate=" + certificates.certificate());
            command.add("--herald.tls.private-key=" + certificates.privateKey());
        }
        command.addAll(args);
        return command;
    }
}
