package dev.herald.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.core.Event;
import dev.herald.core.LogHealth;
import dev.herald.core.LogPage;
import dev.herald.core.Publication;
import dev.herald.core.RetentionPolicy;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link JdbcEventLog#h2File}: an embedded database in a directory, across reopening and crashes. */
class H2FileEventLogTest {

    @TempDir
    Path dir;

    @Test
    void anEmbeddedFileDatabaseKeepsEventsIdsAndTheHorizonAcrossReopening() throws Exception {
        RetentionPolicy retention = RetentionPolicy.of(3, Duration.ofHours(1));
        List<Event> appended = new ArrayList<>();
        try (JdbcEventLog log = JdbcEventLog.h2File(dir, retention)) {
            for (int i = 0; i < 5; i++) {
                appended.add(log.append(Publication.to("t").data("e" + i).build()));
            }
            log.purgeNow();
        }

        try (JdbcEventLog log = JdbcEventLog.h2File(dir, retention)) {
            LogPage page = log.readAfter(0, 10);
            Event next = log.append(Publication.to("t").data("e5").build());

            assertThat(page.horizon()).isEqualTo(appended.get(1).id());
            assertThat(page.events()).containsExactlyElementsOf(appended.subList(2, 5));
            assertThat(next.id()).isEqualTo(appended.getLast().id() + 1);
        }
    }

    @Test
    void everyAcknowledgedAppendSurvivesTheProcessBeingKilled() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                H2AppendingChild.class.getName(), dir.toString())
                .redirectErrorStream(true)
                .start();
        Map<Long, String> acked = new HashMap<>();
        List<String> otherOutput = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            String line;
            while (acked.size() < 400 && System.nanoTime() < deadline && (line = out.readLine()) != null) {
                if (line.startsWith("acked ")) {
                    String[] parts = line.split(" ", 3);
                    acked.put(Long.parseLong(parts[1]), parts[2]);
                } else if (otherOutput.size() < 50) {
                    otherOutput.add(line);
                }
            }
            child.destroyForcibly(); // SIGKILL: no shutdown hook, no close
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            child.destroyForcibly();
        }
        assertThat(acked).as("acknowledged appends; child output: %s", otherOutput).hasSize(400);

        try (JdbcEventLog log = JdbcEventLog.h2File(dir, RetentionPolicy.of(1_000_000, Duration.ofHours(1)))) {
            Map<Long, String> stored = JdbcEventLogBehaviour.readAll(log, 0).stream()
                    .collect(Collectors.toMap(Event::id, Event::data));
            assertThat(stored).containsAllEntriesOf(acked);
        }
    }

    @Test
    void anEmbeddedFileDatabaseIsReachable() throws Exception {
        try (JdbcEventLog log = JdbcEventLog.h2File(dir, RetentionPolicy.defaults())) {
            Event appended = log.append(Publication.to("t").data("one").build());

            LogHealth health = JdbcEventLogBehaviour.health(log, Duration.ofSeconds(30));

            assertThat(health.reachable()).isTrue();
            assertThat(health.details()).containsEntry("store", "jdbc").containsEntry("database", "H2")
                    .containsEntry("lastCommittedId", appended.id()).containsEntry("pendingCommits", 0);
        }
    }
}
