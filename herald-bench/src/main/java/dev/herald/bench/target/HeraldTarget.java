package dev.herald.bench.target;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The standalone server as users run it: {@code java -jar herald-server.jar}, on Netty, with the
 * demos off, the connection limit raised above the largest scenario and, unless
 * {@code --herald-args} says otherwise (another store, or cluster mode), the in-memory history (the fan-out figures measure the
 * hub, not the disk; {@code --herald-args=--herald.history.store=h2} measures the default).
 */
public final class HeraldTarget extends ProcessTarget implements HeraldApi {

    private final Path jar;
    private final List<String> jvm;
    private final List<String> args;

    public HeraldTarget(Path jar, int port, Path work, List<String> jvm, List<String> args) {
        super(port, work);
        this.jar = jar.toAbsolutePath();
        this.jvm = jvm;
        this.args = args;
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
        command.addAll(args);
        return command;
    }
}
