package dev.herald.core.internal;

import dev.herald.core.EventSink;
import dev.herald.core.ResumeStatus;
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
    /** Connections opened, by {@link ResumeStatus} ordinal. */
    public final LongAdder[] resumes = adders(ResumeStatus.values().length);
    /** Started streams not yet released, by {@link EventSink.Transport} ordinal: up at start, down at release. */
    public final LongAdder[] streams = adders(EventSink.Transport.values().length);
    /** Frames discarded with connections closed for falling behind (overflow or a stalled write). */
    public final LongAdder droppedSlow = new LongAdder();
    /** Events a connection selected by topic but could not receive (private, or for another audience). */
    public final LongAdder droppedNotPermitted = new LongAdder();
    /** Log positions retention removed before a connection read them (resuming too late, or overtaken in replay). */
    public final LongAdder droppedExpired = new LongAdder();
    /** {@link dev.herald.core.EventLogException}s from appends. */
    public final LongAdder storeAppendErrors = new LongAdder();
    /** {@link dev.herald.core.EventLogException}s from reads (dispatch, replay, resume points). */
    public final LongAdder storeReadErrors = new LongAdder();

    private static LongAdder[] adders(int count) {
        LongAdder[] adders = new LongAdder[count];
        for (int i = 0; i < count; i++) {
            adders[i] = new LongAdder();
        }
        return adders;
    }
}
