package dev.herald.netty;

import io.netty.channel.EventLoop;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Where the hub runs the writers of live Netty streams: one executor per event loop (the hub
 * groups a round of writers by executor, so each loop gets one task per round). A task submitted
 * from outside the loop runs as soon as the loop takes it; a task the loop submits to itself (a
 * fan-out round's remainder, a stream that became writable again) runs after the loop's next
 * read of its sockets, so a long fan-out never keeps publishes and new subscribers waiting.
 */
final class WriterExecutors {

    private final ConcurrentHashMap<EventLoop, Executor> byLoop = new ConcurrentHashMap<>();

    Executor of(EventLoop loop) {
        return byLoop.computeIfAbsent(loop, AfterReads::new);
    }

    private record AfterReads(EventLoop loop) implements Executor {
        @Override
        public void execute(Runnable task) {
            if (loop.isShuttingDown()) {
                // A task scheduled now would be cancelled silently: refuse it, so the writer ends
                // its stream itself instead of keeping its connection unfinished.
                throw new RejectedExecutionException("the event loop is shutting down");
            }
            if (loop.inEventLoop()) {
                loop.schedule(task, 0, TimeUnit.NANOSECONDS);
            } else {
                loop.execute(task);
            }
        }
    }
}
