package dev.herald.bench.target;

import java.nio.file.Path;
import java.util.List;

/**
 * Herald embedded in a Spring MVC application (herald-servlet's endpoints, registered by the
 * starter, on Tomcat, virtual threads on): what an application that embeds Herald gets.
 */
public final class MvcTarget extends MainClassTarget implements HeraldApi {

    public MvcTarget(int port, Path work, List<String> jvm) {
        super(port, work, jvm);
    }

    @Override
    protected String mainClass() {
        return "dev.herald.bench.mvc.MvcHub";
    }

    @Override
    protected List<String> args() {
        return List.of("--server.port=" + port, "--server.address=127.0.0.1", "--spring.threads.virtual.enabled=true",
                "--server.tomcat.max-connections=40000", "--server.tomcat.accept-count=4096", "--server.tomcat.max-keep-alive-requests=-1",
                "--herald.max-connections=40000");
    }
}
