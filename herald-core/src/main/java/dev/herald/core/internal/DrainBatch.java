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
 * (two wake-ups) instead of a thousand. Dispatcher thread only.
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
            List<StreamConnection> connections = group.getValue();
            try {
                group.getKey().execute(() -> {
                    for (StreamConnection connection : connections) {
                        connection.runWriter();
                    }
                });
            } catch (RejectedExecutionException rejected) {
                // The transport is shutting down: each writer ends its stream itself.
                for (StreamConnection connection : connections) {
                    connection.writerRejected();
                }
            }
        }
        byExecutor.clear();
        size = 0;
    }
}
