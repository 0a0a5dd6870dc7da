package dev.herald.bench.target;

import dev.herald.bench.load.PublishFormat;
import dev.herald.bench.load.ServerProbe;
import dev.herald.bench.load.UrlTemplate;
import java.nio.file.Path;
import java.util.Optional;

/** A server under test: started fresh for a run, driven through URL templates, stopped after. */
public interface Target extends AutoCloseable {

    /** Starts the server and returns once it accepts connections. */
    void start() throws Exception;

    /** Where subscribers connect; {@code {topic}} stands for the topic. */
    UrlTemplate subscribeUrl();

    /** Where the publisher posts; {@code {topic}} stands for the topic. */
    UrlTemplate publishUrl();

    PublishFormat publishFormat();

    /**
     * The certificate (PEM) the target serves when it serves TLS, and the load generator then
     * trusts; empty in clear.
     */
    default Optional<Path> certificate() {
        return Optional.empty();
    }

    /** Reads the server's CPU time and memory. */
    ServerProbe probe();

    /** Stops the server. */
    @Override
    void close();
}
