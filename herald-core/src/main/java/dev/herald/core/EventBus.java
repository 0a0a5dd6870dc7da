package dev.herald.core;

/**
 * The doorbell between nodes: tells every node's dispatcher that the shared {@link EventLog} may
 * hold new events. It carries no events itself; the dispatcher always reads them from the log, in
 * order, so a lost or repeated signal costs only latency, never an event. (The hub also polls the
 * log at a slow interval, so no signal is ever the only way an event is found.)
 *
 * <p>The default, {@link #local()}, rings only this process: right for a single node.
 */
public interface EventBus extends AutoCloseable {

    /** Tells the other nodes' hubs (and this one) that this node appended the event. */
    void announce(Event event);

    /**
     * Registers the hub's listener, run on any thread whenever new events may be in the log. It must
     * return quickly. Closing the returned registration removes the listener.
     */
    Registration listen(Runnable listener);

    /** A listener's registration; closing it is safe twice. */
    @FunctionalInterface
    interface Registration extends AutoCloseable {
        @Override
        void close();
    }

    /** Stops ringing. Safe to call twice. */
    @Override
    void close();

    /** A bus that rings only this process's listeners. */
    static EventBus local() {
        return new LocalEventBus();
    }
}
