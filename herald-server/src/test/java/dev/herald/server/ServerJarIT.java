package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.core.testing.SseWireClient;
import dev.herald.redis.testing.RedisServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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
 * The packaged jar as a user runs it: {@code java -jar herald-server/target/herald-server.jar}.
 * Runs in {@code verify}, after packaging.
 */
class ServerJarIT {

    private static final Path JAR = Path.of("target", "herald-server.jar");
    private static final Pattern STARTED = Pattern.compile("Herald listening on \\S+:(\\d+)");

    private Process server;
    private Path log;
    private final List<Process> started = new ArrayList<>();
    private final List<SseWireClient> clients = new ArrayList<>();
    private RedisServer redis;

    @AfterEach
    void stop() throws Exception {
        for (SseWireClient client : clients) {
            client.close();
        }
        for (Process process : started) {
            if (process.isAlive()) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        if (redis != null) {
            redis.close();
        }
    }

    /** Starts the jar on a free port, with its data (the H2 history) in a fresh directory. */
    private int start(String... extraArgs) throws Exception {
        return start(Files.createTempDirectory("herald-data"), extraArgs);
    }

    private int start(Path dataDir, String... extraArgs) throws Exception {
        assertThat(JAR).as("the executable jar at its documented path").exists();
        log = Files.createTempFile("herald-server", ".log");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR.toString(), "--server.port=0", "--herald.data-dir=" + dataDir));
        command.addAll(List.of(extraArgs));
        server = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        started.add(server);
        Process process = server;
        Path output = log;
        int[] port = new int[1];
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            Matcher matcher = STARTED.matcher(Files.readString(output));
            if (matcher.find()) {
                port[0] = Integer.parseInt(matcher.group(1));
                return true;
            }
            assertThat(process.isAlive()).as("server process (log: %s)", output).isTrue();
            return false;
        });
        return port[0];
    }

    @Test
    void runsOnEmbeddedDefaultsAndShutsDownCleanlyWithOpenStreams() throws Exception {
        int port = start("--herald.heartbeat=1s");
        HttpClient http = HttpClient.newHttpClient();

        HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(health.body()).contains("\"status\":\"UP\"");

        List<SseWireClient> streams = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            streams.add(SseWireClient.get(port, "/events?topic=jar/{id}"));
        }
        await().until(() -> streams.stream().allMatch(s -> s.text().startsWith("retry:")));
        Thread.sleep(200);
        HttpResponse<String> published = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/events"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"topic\": \"jar/1\", \"data\": \"from the jar\"}"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(published.statusCode()).isEqualTo(201);
        for (SseWireClient stream : streams) {
            await().until(() -> stream.parser().events().size() == 1);
            assertThat(stream.parser().events().getFirst().data()).isEqualTo("from the jar");
        }

        long stopping = System.nanoTime();
        server.destroy(); // SIGTERM, as a service manager sends

        assertThat(server.waitFor(30, TimeUnit.SECONDS)).as("server exits after SIGTERM").isTrue();
        for (SseWireClient stream : streams) {
            assertThat(stream.awaitEnd(Duration.ofSeconds(5))).as("stream ended by the server").isTrue();
            stream.close();
        }
        System.out.printf("Shutdown with 3 open streams took %d ms%n", (System.nanoTime() - stopping) / 1_000_000);
        String output = Files.readString(log);
        assertThat(output).doesNotContain(" ERROR ").doesNotContain("Exception");
    }

    @Test
    void refusesToStartTwiceOnTheSamePortWithAClearMessage() throws Exception {
        int port = start();
        Process second = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR.toString(), "--server.port=" + port, "--herald.data-dir=" + Files.createTempDirectory("herald-data"))
                .redirectErrorStream(true).start();
        try {
            assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();
            String output = new String(second.getInputStream().readAllBytes());
            assertThat(second.exitValue()).isNotZero();
            assertThat(output).contains("Port " + port + " was already in use");
        } finally {
            second.destroyForcibly();
        }
    }

    @Test
    void everyAcknowledgedEventSurvivesKillDashNine() throws Exception {
        Path data = Files.createTempDirectory("herald-data");
        int port = start(data);
        ConcurrentLinkedQueue<Long> acknowledged = new ConcurrentLinkedQueue<>();
        AtomicBoolean killed = new AtomicBoolean();
        List<Thread> publishers = publishToCrash(port, acknowledged, killed);
        await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.size() >= 500);
        server.destroyForcibly(); // SIGKILL, with publishes in flight
        killed.set(true);
        assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
        for (Thread publisher : publishers) {
            publisher.join(Duration.ofSeconds(30));
        }
        List<Long> acked = acknowledged.stream().sorted().toList();

        int restarted = start(data);
        SseWireClient stream = SseWireClient.get(restarted, "/events?topic=crash",
                Map.of("Last-Event-ID", Long.toString(acked.getFirst() - 1)));
        await().atMost(Duration.ofSeconds(30)).until(() -> stream.parser().events().stream()
                .map(e -> Long.parseLong(e.lastEventId())).anyMatch(id -> id >= acked.getLast()));
        List<Long> replayed = stream.parser().events().stream().map(e -> Long.parseLong(e.lastEventId())).toList();
        stream.close();

        assertThat(stream.status()).isEqualTo(200);
        assertThat(replayed).as("replayed in id order, each once").isSortedAccordingTo(Long::compare).doesNotHaveDuplicates();
        assertThat(replayed).as("every acknowledged event").containsAll(acked);
        System.out.printf("kill -9 after %d acknowledged publishes; %d replayed after restart%n", acked.size(), replayed.size());
    }

    @Test
    void inClusterModeANodeKilledMidStreamLosesNoAcknowledgedEventAndItsClientsResumeOnAnotherNode() throws Exception {
        redis = RedisServer.start();
        int portA = start("--herald.redis.url=" + redis.uri(), "--herald.redis.node=a");
        Process nodeA = server;
        int portB = start("--herald.redis.url=" + redis.uri(), "--herald.redis.node=b");
        SseWireClient onB = SseWireClient.get(portB, "/events?topic=crash");
        clients.add(onB);
        SseWireClient onA = SseWireClient.get(portA, "/events?topic=crash");
        clients.add(onA);
        await().atMost(Duration.ofSeconds(30)).until(() -> onA.text().startsWith("retry:") && onB.text().startsWith("retry:"));

        ConcurrentLinkedQueue<Long> acknowledged = new ConcurrentLinkedQueue<>();
        AtomicBoolean killed = new AtomicBoolean();
        List<Thread> publishers = publishToCrash(portA, acknowledged, killed);
        await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.size() >= 300);
        nodeA.destroyForcibly(); // SIGKILL, with publishes in flight
        killed.set(true);
        assertThat(nodeA.waitFor(30, TimeUnit.SECONDS)).isTrue();
        for (Thread publisher : publishers) {
            publisher.join(Duration.ofSeconds(30));
        }
        List<Long> acked = acknowledged.stream().sorted().toList();
        assertThat(onA.awaitEnd(Duration.ofSeconds(10))).as("the stream on the killed node ends").isTrue();

        // The client of node A reconnects to node B with its Last-Event-ID, as EventSource would behind a balancer.
        String lastOnA = onA.parser().lastEventId();
        SseWireClient resumed = lastOnA == null || lastOnA.isEmpty()
                ? SseWireClient.get(portB, "/events?topic=crash", Map.of("Last-Event-ID", Long.toString(acked.getFirst() - 1)))
                : SseWireClient.get(portB, "/events?topic=crash", Map.of("Last-Event-ID", lastOnA));
        clients.add(resumed);
        // Node A may have streamed events whose publish it never acknowledged: the moved client is caught up
        // when it has seen the last event node B has, whichever node delivered it.
        await().atMost(Duration.ofSeconds(30)).until(() -> ids(onB).contains(acked.getLast())
                && last(ids(onB)) == last(concat(ids(onA), ids(resumed))));
        List<Long> live = ids(onB);
        List<Long> movedClient = concat(ids(onA), ids(resumed));
        onB.close();
        resumed.close();

        assertThat(live).as("node B's subscriber: in order, once each").isSorted().doesNotHaveDuplicates().containsAll(acked);
        assertThat(movedClient).as("the client that moved from A to B").isSorted().doesNotHaveDuplicates().containsAll(acked);
        assertThat(movedClient).as("the moved client saw what node B's own subscriber saw").isEqualTo(live);
        assertThat(resumed.parser().events("herald-reset")).isEmpty();
        System.out.printf("cluster: node A killed after %d acknowledged publishes; node B delivered %d, the moved client %d%n",
                acked.size(), live.size(), movedClient.size());
    }

    /**
     * Eight publishers posting to topic "crash" on the port until told the server was killed,
     * collecting the acknowledged ids. A publish that fails was never acknowledged.
     */
    private static List<Thread> publishToCrash(int port, ConcurrentLinkedQueue<Long> acknowledged, AtomicBoolean killed) {
        HttpClient http = HttpClient.newHttpClient();
        URI events = URI.create("http://127.0.0.1:" + port + "/events");
        List<Thread> publishers = new ArrayList<>();
        for (int p = 0; p < 8; p++) {
            int publisher = p;
            publishers.add(Thread.ofVirtual().start(() -> {
                for (int i = 0; !killed.get() && i < 10_000; i++) {
                    try {
                        HttpResponse<String> response = http.send(HttpRequest.newBuilder(events)
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString("{\"topic\": \"crash\", \"data\": \"" + publisher + "-" + i + "\"}"))
                                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                        if (response.statusCode() == 201) {
                            Matcher id = Pattern.compile("\"id\"\\s*:\\s*\"(\\d+)\"").matcher(response.body());
                            assertThat(id.find()).as(response.body()).isTrue();
                            acknowledged.add(Long.parseLong(id.group(1)));
                        }
                    } catch (Exception e) {
                        return; // the server is gone: this publish was never acknowledged
                    }
                }
            }));
        }
        return publishers;
    }

    private static List<Long> concat(List<Long> first, List<Long> then) {
        List<Long> all = new ArrayList<>(first);
        all.addAll(then);
        return all;
    }

    private static long last(List<Long> ids) {
        return ids.isEmpty() ? -1 : ids.getLast();
    }

    private static List<Long> ids(SseWireClient client) {
        return client.parser().events("message").stream().map(e -> Long.parseLong(e.lastEventId())).toList();
    }
}
