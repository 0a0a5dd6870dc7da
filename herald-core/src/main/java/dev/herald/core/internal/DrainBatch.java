package dev.herald.core.internal;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Writers the dispatcher has to start, grouped by the transport executor they run on, so that
 * fanning an event out to a thousand connections on two event loops costs two task submissions
 * (two wake-ups) instead of a thousand. Dispatcher thread only; each submitted round then belongs
 * to its executor.
 */
final class DrainBatch {

    private final Map<Executor, List<StreamConnection>> byExecutor = new IdentityHashMap<>();
    private int size;

    void add(Executor executor, StreamConnection connection) {
        byExecutor.computeIfAbsent(executor, e -> new ArrayList<>()).add(connection);
        size++;
    }

    int size() {
        return size;
    }

    /** Submits one task per executor that runs each of its connections' writers in turn. */
    void submit() {
        for (Map.Entry<Executor, List<StreamConnection>> group : byExecutor.entrySet()) {
            new Round(group.getKey(), group.getValue()).submit();
        }
        byExecutor.clear();
        size = 0;
    }

    /**
     * One executor's share of a round. It runs writers for at most {@link #SLICE_NANOS} at a time,
     * then submits the rest as a new task, so that the event loop reads its sockets (publishes,
     * new subscribers) in between instead of after the whole fan-out.
     */
    private static final class Round implements Runnable {
        private static final long SLICE_NANOS = 2_000_000;

        private final Executor executor;
        private final List<StreamConnection> connections;
        private int next;

        Round(Executor executor, List<StreamConnection> connections) {
            this.executor = executor;
            this.connections = connections;
        }

        void submit() {
            try {
                executor.execute(this);
            } catch (RejectedExecutionException rejected) {
                // The transport is shutting down: each writer ends its stream itself.
                for (int i = next; i < connections.size(); i++) {
                    connections.get(i).writerRejected();
                }
            }
        }

        @Override
        public void run() {
            long start = System.nanoTime();
            try {
                while (next < connections.size()) {
                    connections.get(next++).runWriter();
                    if ((next & 15) == 0 && next < connections.size() && System.nanoTime() - start > SLICE_NANOS) {
                        submit();
                        return;
                    }
                }
            } catch (Throwable unexpected) {
                // A writer catches its own failures; should one escape anyway, the writers left in
                // this round must not keep their tokens with nothing to run them.
                for (int i = next; i < connections.size(); i++) {
                    connections.get(i).writerRejected();
                }
                next = connections.size();
                throw unexpected;
            }
        }
    }
}
