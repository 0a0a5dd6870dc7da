package dev.herald.core.internal;

import dev.herald.core.Event;
import dev.herald.core.Priority;
import dev.herald.core.Publication;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** A connection's queue: frames in, then out in one batch, as the dispatcher and writer do. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class QueueBenchmark {

    private static final int BATCH = 32;

    private final FrameQueue queue = new FrameQueue();
    private Frame normal;
    private Frame high;

    @Setup
    public void setUp() {
        normal = Frame.of(new Event(1, Instant.EPOCH, Publication.to("t").data("x".repeat(64)).build()));
        high = Frame.of(new Event(2, Instant.EPOCH, Publication.to("t").data("x".repeat(64)).priority(Priority.HIGH).build()));
    }

    /** Per frame: one enqueue and its share of one batch take. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public List<Frame> enqueueThenTakeInOrder() {
        for (int i = 0; i < BATCH; i++) {
            queue.add(normal);
        }
        return queue.take(64 * 1024, 0, id -> false);
    }

    /** The same, with one urgent frame in four overtaking. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public List<Frame> enqueueThenTakeByPriority() {
        for (int i = 0; i < BATCH; i++) {
            queue.add(i % 4 == 0 ? high : normal);
        }
        return queue.take(64 * 1024, 16, id -> false);
    }
}
