package dev.herald.core.internal;

import dev.herald.core.Event;
import dev.herald.core.Publication;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Encoding one event into its shared SSE frame (done once per event, whatever the number of
 * subscribers). Lives in the engine's package to reach its internals; it is not part of the engine.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class EncodeBenchmark {

    @Param({"64", "1024", "16384"})
    int dataBytes;

    @Param({"1", "20"})
    int lines;

    private Event event;

    @Setup
    public void setUp() {
        StringBuilder data = new StringBuilder();
        int perLine = Math.max(1, dataBytes / lines);
        for (int line = 0; line < lines; line++) {
            if (line > 0) {
                data.append('\n');
            }
            data.append("x".repeat(perLine - (line > 0 ? 1 : 0)));
        }
        event = new Event(1795441513586001L, Instant.EPOCH, Publication.to("orders/42").type("order-updated").data(data.toString()).build());
    }

    @Benchmark
    public Frame encode() {
        return Frame.of(event);
    }
}
