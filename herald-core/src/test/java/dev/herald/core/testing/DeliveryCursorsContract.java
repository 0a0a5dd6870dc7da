package dev.herald.core.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.core.DeliveryCursors;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link DeliveryCursors} must do. Implementations that batch writes make
 * {@link #flushed(DeliveryCursors)} wait until recorded positions are readable.
 */
public abstract class DeliveryCursorsContract {

    private final List<DeliveryCursors> created = new ArrayList<>();

    /** A fresh store with no cursors. */
    protected abstract DeliveryCursors createCursors();

    /** Returns once what was recorded so far is readable (a no-op for stores that do not batch). */
    protected void flushed(DeliveryCursors cursors) {
    }

    protected final DeliveryCursors newCursors() {
        DeliveryCursors cursors = createCursors();
        created.add(cursors);
        return cursors;
    }

    @AfterEach
    void closeCursors() {
        created.forEach(DeliveryCursors::close);
    }

    @Test
    void aUserWithNoDeliveriesHasNoCursor() {
        assertThat(newCursors().lastDelivered("nobody")).isEmpty();
    }

    @Test
    void recordsTheHighestPositionPerUserAndNeverMovesBack() {
        DeliveryCursors cursors = newCursors();
        cursors.delivered("alice", 10);
        cursors.delivered("alice", 30);
        cursors.delivered("alice", 20);
        cursors.delivered("bob", 5);
        flushed(cursors);

        assertThat(cursors.lastDelivered("alice")).hasValue(30);
        assertThat(cursors.lastDelivered("bob")).hasValue(5);
    }

    @Test
    void concurrentWritersLeaveTheMaximum() throws Exception {
        DeliveryCursors cursors = newCursors();
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    for (int i = 1; i <= 1000; i++) {
                        cursors.delivered("user-" + (i % 10), i * 4L + thread);
                    }
                }));
            }
            for (Future<?> future : futures) {
                future.get();
            }
        }
        flushed(cursors);

        for (int user = 0; user < 10; user++) {
            long expected = 0;
            for (int i = 1; i <= 1000; i++) {
                if (i % 10 == user) {
                    expected = Math.max(expected, i * 4L + 3);
                }
            }
            assertThat(cursors.lastDelivered("user-" + user)).hasValue(expected);
        }
    }
}
