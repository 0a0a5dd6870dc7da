package dev.herald.redis.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A real {@code redis-server} for the tests, from the locally installed binary (Debian:
 * {@code apt-get install redis-server}), on a free loopback port, with its data in a temporary
 * directory and every write fsynced before it is acknowledged ({@code appendfsync always}), so a
 * test can kill it, start it again on the same data and port, and expect every acknowledged event.
 * Without the binary the Redis tests are skipped, unless {@code CI=true}, where they fail.
 */
public final class RedisServer implements AutoCloseable {

    private static RedisServer shared;

    private final Path binary;
    private final Path dir;
    private int port;
    private Process process;

    private RedisServer(Path binary, Path dir, int port) {
        this.binary = binary;
        this.dir = dir;
        this.port = port;
    }

    /** One server for the whole test JVM, for tests that never stop it. */
    public static synchronized RedisServer shared() {
        if (shared == null) {
            shared = start();
        }
        return shared;
    }

    /**
     * A new server of the caller's own, to stop and restart at will (on the same port). Removed by
     * {@link #close()}, or at the latest when the test JVM exits.
     */
    public static RedisServer start() {
        Path binary = findBinary();
        RedisServer server;
        try {
            server = new RedisServer(binary, Files.createTempDirectory("herald-redis-"), freePort());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "herald-test-redis-cleanup"));
        for (int attempt = 1; ; attempt++) {
            try {
                server.startProcess();
                return server;
            } catch (IllegalStateException e) {
                // Another process may have taken the free port between the probe and the bind: try another.
                server.kill();
                if (attempt == 3) {
                    server.close();
                    throw e;
                }
                try {
                    server.port = freePort();
                } catch (IOException io) {
                    throw new UncheckedIOException(io);
                }
            }
        }
    }

    private static Path findBinary() {
        for (String candidate : List.of("/usr/bin/redis-server", "/usr/local/bin/redis-server")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return Path.of(candidate);
            }
        }
        String path = System.getenv("PATH");
        if (path != null) {
            for (String entry : path.split(java.io.File.pathSeparator)) {
                Path candidate = Path.of(entry, "redis-server");
                if (Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
        }
        String message = "redis-server not found: install the redis-server package; skipping the Redis tests";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(message.replace("skipping", "CI requires"));
        }
        Assumptions.abort(message);
        return null;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            return socket.getLocalPort();
        }
    }

    public int port() {
        return port;
    }

    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    /** Starts the server (again) on its port and data directory; returns once it answers PING. */
    public synchronized void startProcess() {
        if (process != null && process.isAlive()) {
            return;
        }
        List<String> command = new ArrayList<>(List.of(binary.toString(),
                "--port", Integer.toString(port), "--bind", "127.0.0.1", "--dir", dir.toString(),
                "--appendonly", "yes", "--appendfsync", "always", "--save", "",
                "--protected-mode", "no", "--daemonize", "no", "--logfile", dir.resolve("redis.log").toString()));
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("stdout.log").toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("redis-server exited on port " + port + ": " + log());
            }
            if (answersPing()) {
                return;
            }
            sleep(20);
        }
        throw new IllegalStateException("redis-server did not start on port " + port + ": " + log());
    }

    private boolean answersPing() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            socket.setSoTimeout(1000);
            OutputStream out = socket.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] reply = new byte[7];
            int n = in.read(reply);
            return n > 0 && new String(reply, 0, n, StandardCharsets.US_ASCII).startsWith("+PONG");
        } catch (IOException e) {
            return false;
        }
    }

    /** Kills the server at once (SIGKILL): no goodbye, nothing flushed beyond what was fsynced. */
    public synchronized void kill() {
        if (process != null) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Suspends the server (SIGSTOP): connections stay open but nothing is answered, as with a
     * server that hangs or a network that drops packets. {@link #resume()} undoes it.
     */
    public synchronized void suspend() {
        signal("STOP");
    }

    /** Lets a {@linkplain #suspend() suspended} server run again (SIGCONT). */
    public synchronized void resume() {
        signal("CONT");
    }

    private void signal(String name) {
        if (process == null || !process.isAlive()) {
            throw new IllegalStateException("the server is not running");
        }
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid()))
                    .redirectErrorStream(true).start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("could not send SIG" + name + " to redis-server");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Deletes the stopped server's data (its append-only files), as a server without persistence would lose it. */
    public synchronized void wipeData() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("stop the server first");
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.filter(file -> !file.equals(dir) && !file.getFileName().toString().endsWith(".log"))
                    .sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String log() {
        try {
            Path file = dir.resolve("redis.log");
            return Files.exists(file) ? Files.readString(file) : "(no log)";
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public synchronized void close() {
        kill();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
        } catch (IOException e) {
            // A temporary directory left behind.
        }
    }
}
