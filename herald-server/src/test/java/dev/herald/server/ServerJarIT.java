package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.core.testing.SseWireClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
    private static final Pattern STARTED = Pattern.compile("Herald listening on port (\\d+)");

    private Process server;
    private Path log;

    @AfterEach
    void stop() throws Exception {
        if (server != null && server.isAlive()) {
            server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private int start(String... extraArgs) throws Exception {
        assertThat(JAR).as("the executable jar at its documented path").exists();
        log = Files.createTempFile("herald-server", ".log");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR.toString(), "--server.port=0"));
        command.addAll(List.of(extraArgs));
        server = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        int[] port = new int[1];
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            Matcher matcher = STARTED.matcher(Files.readString(log));
            if (matcher.find()) {
                port[0] = Integer.parseInt(matcher.group(1));
                return true;
            }
            assertThat(server.isAlive()).as("server process (log: %s)", log).isTrue();
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
                "-jar", JAR.toString(), "--server.port=" + port).redirectErrorStream(true).start();
        try {
            assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();
            String output = new String(second.getInputStream().readAllBytes());
            assertThat(second.exitValue()).isNotZero();
            assertThat(output).contains("Port " + port + " was already in use");
        } finally {
            second.destroyForcibly();
        }
    }
}
