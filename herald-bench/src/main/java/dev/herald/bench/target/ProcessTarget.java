package dev.herald.bench.target;

import dev.herald.bench.load.ServerProbe;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A target that is a separate process on a loopback port: started with its output in a log file
 * under the work directory, ready once the port accepts a connection, stopped with SIGTERM and then,
 * if need be, SIGKILL.
 */
abstract class ProcessTarget implements Target {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    protected final int port;
    protected final Path work;
    private Process process;

    ProcessTarget(int port, Path work) {
        this.port = port;
        this.work = work;
    }

    public int port() {
        return port;
    }

    /** The command line that runs the server. */
    protected abstract List<String> command() throws IOException;

    @Override
    public void start() throws Exception {
        Files.createDirectories(work);
        if (accepts()) {
            throw new IllegalStateException("port " + port + " is already in use; is an earlier run still going?");
        }
        Path log = work.resolve("server.log");
        process = new ProcessBuilder(command()).directory(work.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!accepts()) {
            if (!process.isAlive()) {
                throw new IllegalStateException(getClass().getSimpleName() + " exited with " + process.exitValue() + "; see " + log);
            }
            if (System.nanoTime() > deadline) {
                close();
                throw new IllegalStateException(getClass().getSimpleName() + " did not open port " + port + " in " + START_TIMEOUT);
            }
            Thread.sleep(100);
        }
        Thread.sleep(500); // let the server finish starting after binding
    }

    private boolean accepts() {
        return accepts(port);
    }

    /** Whether something accepts connections on this loopback port. */
    static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException closed) {
            return false;
        }
    }

    @Override
    public ServerProbe probe() {
        return ServerProbe.processTree(pid());
    }

    protected long pid() {
        if (process == null) {
            throw new IllegalStateException("not started");
        }
        return process.pid();
    }

    @Override
    public void close() {
        if (process == null) {
            return;
        }
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        process = null;
    }

    /** The java launcher running this benchmark, so every JVM target runs on the same JDK. */
    static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    /** This JVM's class path: the bench module and its dependencies, which hold every in-module server. */
    static String classPath() {
        // Absolute: the server runs in its own working directory.
        return java.util.Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .map(entry -> Path.of(entry).toAbsolutePath().toString())
                .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
    }
}
