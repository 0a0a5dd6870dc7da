package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.core.testing.SseParser;
import dev.herald.core.testing.SseWireClient;
import dev.herald.redis.testing.RedisServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A rolling restart of a two-node cluster, with the packaged jar and a real Redis: publishers keep
 * publishing to both nodes and subscribers stay connected, each reconnecting as EventSource does
 * (after the last {@code retry:} it was sent, with its {@code Last-Event-ID}) to the other node when
 * its node goes down. Node A is stopped gracefully (SIGTERM), started again, then node B. Every
 * subscriber ends with every acknowledged event exactly once, in order, and the clients of a
 * stopping node were told to come back at spread-out times. Runs in {@code verify}, after packaging.
 */
class RollingRestartIT {

    private static final Path JAR = Path.of("target", "herald-server.jar");
    private static final Pattern STARTED = Pattern.compile("Herald listening on \\S+:(\\d+)");
    private static final Pattern RETRY = Pattern.compile("(?m)^retry: (\\d+)$");
    private static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*\"(\\d+)\"");
    private static final String TOPIC = "rolling";
    private static final Duration SPREAD = Duration.ofSeconds(3);
    private static final int SUBSCRIBERS = 16;
    private static final int PUBLISHERS = 4;
    /** Per publisher; with the pause between publishes, well within the time the test runs. */
    private static final int MAX_PUBLISHES = 1500;

    private RedisServer redis;
    /** The jar every node runs: a copy taken once, so each restart runs the same build. */
    private Path jar;
    private final Node[] nodes = new Node[2];
    private final List<Process> processes = Collections.synchronizedList(new ArrayList<>());
    private final List<Path> logs = Collections.synchronizedList(new ArrayList<>());
    private final AtomicBoolean stopPublishing = new AtomicBoolean();
    private final AtomicBoolean stopSubscribing = new AtomicBoolean();
    private final List<Thread> threads = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        stopPublishing.set(true);
        stopSubscribing.set(true);
        for (Thread thread : threads) {
            thread.join(Duration.ofSeconds(10));
        }
        for (Process process : processes) {
            if (process.isAlive()) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        if (redis != null) {
            redis.close();
        }
        if (jar != null) {
            Files.deleteIfExists(jar);
        }
    }

    /** One node of the cluster: its name and port survive its restarts, as behind a balancer. */
    private final class Node {
        final String name;
        final int port;
        final Path dataDir;
        volatile Process process;
        volatile Path log;

        Node(String name, int port) throws IOException {
            this.name = name;
            this.port = port;
            this.dataDir = Files.createTempDirectory("herald-data");
        }

        /** Starts the jar; call {@link #awaitListening()} to wait for it. */
        void launch() throws IOException {
            log = Files.createTempFile("herald-" + name, ".log");
            logs.add(log);
            // C1 only and the serial collector: the nodes start in about half the time on a small machine.
            process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                    "-jar", jar.toString(), "--server.port=" + port, "--herald.data-dir=" + dataDir,
                    "--herald.redis.url=" + redis.uri(), "--herald.redis.node=" + name,
                    "--herald.shutdown-retry-spread=" + SPREAD.toMillis() + "ms")
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            processes.add(process);
        }

        void awaitListening() {
            Process started = process;
            Path output = log;
            await().atMost(Duration.ofSeconds(45)).pollInterval(Duration.ofMillis(50)).until(() -> {
                Matcher matcher = STARTED.matcher(Files.readString(output));
                if (matcher.find()) {
                    assertThat(Integer.parseInt(matcher.group(1))).isEqualTo(port);
                    return true;
                }
                assertThat(started.isAlive()).as("node %s (log: %s)", name, output).isTrue();
                return false;
            });
        }
    }

    /** A shutdown delay a subscriber was sent by the node it was on, before that node ended its stream. */
    private record Hint(String node, long millis) {
    }

    /**
     * A client that behaves as EventSource behind a balancer: it streams from one node; when the
     * stream ends it waits for the last {@code retry:} it was sent and reconnects, with its last
     * event id, to the other node; a node that refuses (down, or shutting down) sends it to the other.
     */
    private final class Subscriber implements Runnable {
        final int number;
        private final List<Long> ids = new ArrayList<>();
        private final List<Hint> hints = new ArrayList<>();
        private int resets;
        private int connects;
        private int refusals;
        private volatile SseWireClient current;
        private volatile boolean streaming;
        /** When the current stream began (System.nanoTime()). */
        private volatile long streamingSince;
        private int node;
        private String lastEventId;

        Subscriber(int number) {
            this.number = number;
            this.node = number % 2;
        }

        @Override
        public void run() {
            try {
                while (!stopSubscribing.get()) {
                    SseWireClient client;
                    try {
                        client = SseWireClient.get(nodes[node].port, "/events?topic=" + TOPIC,
                                lastEventId == null ? Map.of() : Map.of("Last-Event-ID", lastEventId));
                    } catch (IOException refused) {
                        refused(null);
                        continue;
                    }
                    if (client.status() != 200) {
                        refused(client);
                        continue;
                    }
                    synchronized (this) {
                        connects++;
                    }
                    current = client;
                    streamingSince = System.nanoTime();
                    streaming = true;
                    while (!client.awaitEnd(Duration.ofMillis(50)) && !stopSubscribing.get()) {
                        // streaming
                    }
                    streaming = false;
                    long wait = collect(client);
                    if (stopSubscribing.get()) {
                        return;
                    }
                    Thread.sleep(wait); // as EventSource waits before reconnecting
                    node = 1 - node;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        private void refused(SseWireClient client) throws InterruptedException, IOException {
            if (client != null) {
                client.close();
            }
            synchronized (this) {
                refusals++;
            }
            node = 1 - node;
            Thread.sleep(100);
        }

        /** Takes in what a finished connection received; returns how long to wait before reconnecting. */
        private long collect(SseWireClient client) throws IOException {
            client.close();
            SseParser parser = client.parser();
            List<Long> retries = new ArrayList<>();
            Matcher matcher = RETRY.matcher(client.text());
            while (matcher.find()) {
                retries.add(Long.parseLong(matcher.group(1)));
            }
            synchronized (this) {
                current = null;
                for (SseParser.Received event : parser.events()) {
                    if (event.type().equals("message")) {
                        ids.add(Long.parseLong(event.lastEventId()));
                    } else {
                        resets++;
                    }
                }
                if (retries.size() >= 2 && !stopSubscribing.get()) {
                    // The first is sent on connect; a second one is the stopping node's.
                    hints.add(new Hint(nodes[node].name, retries.getLast()));
                }
            }
            if (!parser.lastEventId().isEmpty()) {
                lastEventId = parser.lastEventId();
            }
            return retries.isEmpty() ? 3000 : retries.getLast();
        }

        /** The highest id received so far, on finished connections and the current one. */
        synchronized long highest() {
            long highest = ids.isEmpty() ? -1 : ids.getLast();
            SseWireClient open = current;
            if (open != null) {
                for (SseParser.Received event : open.parser().events()) {
                    if (event.type().equals("message")) {
                        highest = Math.max(highest, Long.parseLong(event.lastEventId()));
                    }
                }
            }
            return highest;
        }

        boolean streaming() {
            return streaming;
        }

        long streamingSince() {
            return streamingSince;
        }
    }

    @Test
    void aRollingRestartLosesAndRepeatsNoAcknowledgedEventAndSpreadsTheReconnections() throws Exception {
        long testStarted = System.nanoTime();
        assertThat(JAR).as("the executable jar at its documented path").exists();
        jar = Files.copy(JAR, Files.createTempDirectory("herald-jar").resolve("herald-server.jar"));
        redis = RedisServer.start();
        nodes[0] = new Node("a", freePort());
        nodes[1] = new Node("b", freePort());
        for (Node node : nodes) {
            node.launch();
        }
        for (Node node : nodes) {
            node.awaitListening();
        }

        List<Subscriber> subscribers = new ArrayList<>();
        for (int i = 0; i < SUBSCRIBERS; i++) {
            Subscriber subscriber = new Subscriber(i);
            subscribers.add(subscriber);
            threads.add(Thread.ofVirtual().name("subscriber-" + i).start(subscriber));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> subscribers.stream().allMatch(Subscriber::streaming));
        // Each stream is live once it has its first retry line; give the last ones a moment to register.
        Thread.sleep(300);

        ConcurrentLinkedQueue<Long> acknowledged = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Integer> refusedPublishes = new ConcurrentLinkedQueue<>();
        for (int p = 0; p < PUBLISHERS; p++) {
            threads.add(publisher(p, acknowledged, refusedPublishes));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> acknowledged.size() >= 200);

        List<String> figures = new ArrayList<>();
        for (Node node : nodes) {
            figures.add(restart(node, subscribers));
            await().atMost(Duration.ofSeconds(10)).until(() -> subscribers.stream().allMatch(Subscriber::streaming));
            Thread.sleep(1000); // traffic on the restarted cluster before the next node goes
        }
        stopPublishing.set(true);
        for (Thread thread : threads.subList(SUBSCRIBERS, threads.size())) {
            thread.join(Duration.ofSeconds(15));
        }
        List<Long> acked = acknowledged.stream().sorted().toList();
        assertThat(acked).as("publishes acknowledged").isNotEmpty();
        long lastAcked = acked.getLast();
        long caughtUp = System.nanoTime();
        await().atMost(Duration.ofSeconds(15)).until(() -> subscribers.stream().allMatch(s -> s.highest() >= lastAcked));
        long catchUpMs = (System.nanoTime() - caughtUp) / 1_000_000;
        stopSubscribing.set(true);
        for (Thread thread : threads.subList(0, SUBSCRIBERS)) {
            thread.join(Duration.ofSeconds(10));
        }

        List<Long> reference = null;
        List<Hint> hints = new ArrayList<>();
        List<String> delivered = new ArrayList<>();
        for (Subscriber subscriber : subscribers) {
            synchronized (subscriber) {
                List<Long> ids = List.copyOf(subscriber.ids);
                assertThat(ids).as("subscriber %d: in order, each once", subscriber.number)
                        .isSortedAccordingTo(Long::compare).doesNotHaveDuplicates();
                assertThat(ids).as("subscriber %d: every acknowledged event", subscriber.number).containsAll(acked);
                assertThat(subscriber.resets).as("subscriber %d: no history was lost", subscriber.number).isZero();
                // Events a node stored but could not acknowledge before it stopped may come too; all alike.
                List<Long> fromTheFirstAck = ids.stream().filter(id -> id >= acked.getFirst() && id <= lastAcked).toList();
                if (reference == null) {
                    reference = fromTheFirstAck;
                }
                assertThat(fromTheFirstAck).as("subscriber %d saw what the others saw", subscriber.number).isEqualTo(reference);
                hints.addAll(subscriber.hints);
                delivered.add(ids.size() + " (" + subscriber.connects + " streams, " + subscriber.refusals + " refused)");
            }
        }
        for (Node node : nodes) {
            List<Long> values = hints.stream().filter(h -> h.node().equals(node.name)).map(Hint::millis).toList();
            assertThat(values).as("retry hints from node %s as it stopped", node.name).isNotEmpty()
                    .allSatisfy(v -> assertThat(v).isBetween(0L, SPREAD.toMillis()));
            assertThat(values.stream().distinct().count()).as("spread, not all equal: %s", values).isGreaterThan(1);
            figures.add("retry hints from node " + node.name + " (ms): " + values.stream().sorted().toList());
        }
        for (Path log : logs) {
            assertThat(Files.readString(log)).as("log %s", log).doesNotContain(" ERROR ");
        }

        System.out.printf("rolling restart: %d events acknowledged (ids %d..%d, %d extra stored but unacknowledged), "
                        + "%d publishes refused while a node stopped; caught up %d ms after the last publish; test took %d s%n",
                acked.size(), acked.getFirst(), lastAcked, reference.size() - acked.size(), refusedPublishes.size(), catchUpMs,
                (System.nanoTime() - testStarted) / 1_000_000_000);
        System.out.println("delivered per subscriber: " + delivered);
        figures.forEach(System.out::println);
    }

    /**
     * Stops the node gracefully (SIGTERM), starts it again on the same port, and waits for it to
     * listen and for every subscriber to stream again; returns the figures: how long the node took
     * to stop and to be back, and when its subscribers were streaming again, on the other node.
     */
    private String restart(Node node, List<Subscriber> subscribers) throws Exception {
        long stopping = System.nanoTime();
        node.process.destroy(); // SIGTERM, as a service manager sends
        assertThat(node.process.waitFor(30, TimeUnit.SECONDS)).as("node %s exits after SIGTERM", node.name).isTrue();
        long stoppedMs = (System.nanoTime() - stopping) / 1_000_000;
        node.launch();
        node.awaitListening();
        long backMs = (System.nanoTime() - stopping) / 1_000_000;
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> subscribers.stream().allMatch(Subscriber::streaming));
        List<Long> moved = subscribers.stream().filter(s -> s.streamingSince() > stopping)
                .map(s -> (s.streamingSince() - stopping) / 1_000_000).sorted().toList();
        assertThat(moved).as("the subscribers of node %s moved", node.name).isNotEmpty();
        return String.format("node %s: stopped %d ms after SIGTERM, listening again after %d ms; its %d subscribers "
                + "streamed again from the other node %d..%d ms after SIGTERM", node.name, stoppedMs, backMs, moved.size(),
                moved.getFirst(), moved.getLast());
    }

    /**
     * Publishes to the nodes in turn until told to stop or {@link #MAX_PUBLISHES} are done, about
     * 40 a second; keeps the ids the nodes acknowledged. A refused or failed publish (its node is
     * stopping or down) was not acknowledged and is not retried.
     */
    private Thread publisher(int number, ConcurrentLinkedQueue<Long> acknowledged, ConcurrentLinkedQueue<Integer> refused) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        return Thread.ofVirtual().name("publisher-" + number).start(() -> {
            for (int i = 0; i < MAX_PUBLISHES && !stopPublishing.get(); i++) {
                Node node = nodes[(number + i) % 2];
                try {
                    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port + "/events"))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"topic\": \"" + TOPIC + "\", \"data\": \"" + number + "-" + i + "\"}"))
                            .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                    if (response.statusCode() == 201) {
                        Matcher id = ID.matcher(response.body());
                        assertThat(id.find()).as(response.body()).isTrue();
                        acknowledged.add(Long.parseLong(id.group(1)));
                    } else {
                        refused.add(response.statusCode());
                    }
                } catch (IOException e) {
                    refused.add(0);
                } catch (InterruptedException e) {
                    return;
                }
                try {
                    Thread.sleep(25);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
