package dev.herald.bench.target;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@code redis-server} for a cluster run, on a loopback port, its data in the work directory,
 * with append-only persistence fsynced every second (the setting most deployments run).
 */
public final class RedisProcess implements AutoCloseable {

    private final int port;
    private final Process process;

    public RedisProcess(int port, Path work, String appendfsync) throws IOException, InterruptedException {
        this.port = port;
        Files.createDirectories(work);
        if (accepts()) {
            throw new IllegalStateException("port " + port + " is already in use; is an earlier run still going?");
        }
        this.process = new ProcessBuilder(List.of("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--dir", work.toAbsolutePath().toString(), "--appendonly", "yes", "--appendfsync", appendfsync, "--save", "",
                "--protected-mode", "no", "--daemonize", "no"))
                .redirectErrorStream(true).redirectOutput(work.resolve("redis.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!accepts()) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                close();
                throw new IllegalStateException("redis-server did not start; see " + work.resolve("redis.log"));
            }
            Thread.sleep(50);
        }
    }

    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    public long pid() {
        return process.pid();
    }

    private boolean accepts() {
        return ProcessTarget.accepts(port);
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
