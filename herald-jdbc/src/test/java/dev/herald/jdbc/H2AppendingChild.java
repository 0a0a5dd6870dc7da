package dev.herald.jdbc;

import dev.herald.core.Event;
import dev.herald.core.Publication;
import dev.herald.core.RetentionPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Run in a separate JVM by {@link H2FileEventLogTest}: appends from four threads to an H2 file log
 * and prints {@code acked <id> <data>} once each append returned, until it is killed (or a minute
 * has passed, so it never outlives a test run that died).
 */
public final class H2AppendingChild {

    private H2AppendingChild() {
    }

    public static void main(String[] args) throws Exception {
        JdbcEventLog log = JdbcEventLog.h2File(Path.of(args[0]), RetentionPolicy.of(1_000_000, Duration.ofHours(1)));
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int thread = t;
            threads.add(Thread.ofPlatform().name("appender-" + t).start(() -> {
                for (int i = 0; System.nanoTime() < deadline; i++) {
                    String data = thread + "-" + i;
                    Event event = log.append(Publication.to("t").data(data).build());
                    synchronized (System.out) {
                        System.out.println("acked " + event.id() + " " + data);
                        System.out.flush();
                    }
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        log.close();
    }
}
