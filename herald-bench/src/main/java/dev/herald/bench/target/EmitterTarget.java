package dev.herald.bench.target;

import dev.herald.bench.load.PublishFormat;
import dev.herald.bench.load.UrlTemplate;
import java.nio.file.Path;
import java.util.List;

/**
 * The hand-written peer ({@code dev.herald.bench.emitter.EmitterServer}): Spring Boot defaults, except
 * Tomcat's connection limit, raised so it can hold the idle scenario's connections at all, and its
 * keep-alive request limit (100 by default), lifted so the publisher's connection is not closed
 * under it every 100 requests.
 */
public final class EmitterTarget extends MainClassTarget {

    public EmitterTarget(int port, Path work, List<String> jvm) {
        super(port, work, jvm);
    }

    @Override
    protected String mainClass() {
        return "dev.herald.bench.emitter.EmitterServer";
    }

    @Override
    protected List<String> args() {
        return List.of("--server.port=" + port, "--server.address=127.0.0.1", "--herald.enabled=false",
                "--server.tomcat.max-connections=40000", "--server.tomcat.accept-count=4096", "--server.tomcat.max-keep-alive-requests=-1");
    }

    @Override
    public UrlTemplate subscribeUrl() {
        return UrlTemplate.of("http://127.0.0.1:" + port + "/sse?topic={topic}");
    }

    @Override
    public UrlTemplate publishUrl() {
        return UrlTemplate.of("http://127.0.0.1:" + port + "/publish?topic={topic}");
    }

    @Override
    public PublishFormat publishFormat() {
        return PublishFormat.RAW;
    }
}
