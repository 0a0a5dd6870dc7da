package dev.herald.core.internal;

import java.util.concurrent.atomic.LongAdder;

/** The engine's counters. Incremented from any thread; read for stats. */
public final class Metrics {
    public final LongAdder published = new LongAdder();
    public final LongAdder delivered = new LongAdder();
    public final LongAdder replayed = new LongAdder();
    public final LongAdder overflows = new LongAdder();
    public final LongAdder stalls = new LongAdder();
    public final LongAdder resets = new LongAdder();
    public final LongAdder refused = new LongAdder();
    public final LongAdder opened = new LongAdder();
}
